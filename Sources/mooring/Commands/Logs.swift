import ArgumentParser
import Foundation
import MooringController
import MooringFileSafety
import MooringSupervisor

extension Mooring {
    /// `mooring logs NAME [--replica N] [--tail N] [-f | --previous]`: a deployment's
    /// model-server output, read from the log files (no controller needed).
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the log of a deployment's replicas (stdout and stderr of the model server).",
            discussion: """
            Examples:
              mooring logs iris -f                      # follow the serving replicas
              mooring logs iris --replica 1 --tail 50
              mooring logs iris --previous              # the process before the last restart (a crash)
            """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The deployment.")
        var name: String

        @Option(help: "Only this replica (0, 1, …).")
        var replica: Int?

        @Option(help: "How many lines from the end to print first.")
        var tail: Int = 100

        @Flag(name: .shortAndLong, help: "Keep printing what is appended, until interrupted.")
        var follow = false

        @Flag(help: "Print the output of the replica's previous process (before its last restart) instead.")
        var previous = false

        func validate() throws {
            if previous && follow { throw ValidationError("--previous prints a process that has ended: it cannot be followed (-f)") }
            if tail < 0 { throw ValidationError("--tail \(tail): give 0 or more lines") }
        }

        func run() async throws {
            let layout = try verifiedStateDirectory(global, command: "logs", allowMissing: true)
            let directory = layout.logs.appendingPathComponent(name)
            let names = try listLogs(in: directory)
                .filter { $0.hasSuffix(".log") }
                .filter { replica == nil || $0 == "\(replica ?? 0).log" }
                .sorted()
            guard !names.isEmpty else {
                printError("mooring logs: no logs for \(name)\(replica.map { " replica \($0)" } ?? "") under \(directory.path); `mooring status` lists the deployments")
                throw ExitCode(1)
            }
            let prefix = names.count > 1
            if previous {
                try printPrevious(names, in: directory, prefix: prefix)
                return
            }
            var offsets: [String: UInt64] = [:]
            for file in names {
                let url = directory.appendingPathComponent(file)
                let data = try readLog(url)
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                let shown = lines.suffix(tail + (lines.last == "" ? 1 : 0)).joined(separator: "\n")
                emit(shown, replica: prefix ? String(file.dropLast(4)) : nil)
                offsets[file] = UInt64(data.count)
            }
            guard follow else { return }
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                for file in names {
                    let url = directory.appendingPathComponent(file)
                    guard let descriptor = openLog(url) else { continue }
                    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                    let size = (try? handle.seekToEnd()) ?? 0
                    var offset = offsets[file] ?? 0
                    if size < offset { offset = 0 } // rotated: start over
                    guard size > offset else { continue }
                    try? handle.seek(toOffset: offset)
                    let data = (try? handle.readToEnd()) ?? Data()
                    offsets[file] = offset + UInt64(data.count)
                    emit(String(decoding: data, as: UTF8.self), replica: prefix ? String(file.dropLast(4)) : nil)
                }
            }
        }

        /// `--previous`: for each replica, the lines from its second-to-last start line (which
        /// the supervisor writes before every process) up to its last one, across the
        /// rotated files (`N.log.3` … `N.log.1`, then `N.log`).
        private func printPrevious(_ names: [String], in directory: URL, prefix: Bool) throws {
            let all = try listLogs(in: directory)
            var found = false
            for file in names {
                let rotated = all.compactMap { name -> Int? in
                    guard name.hasPrefix(file + "."), let index = Int(name.dropFirst(file.count + 1)) else { return nil }
                    return index
                }.sorted(by: >)
                var text = ""
                for index in rotated { text += String(decoding: try readLog(directory.appendingPathComponent("\(file).\(index)")), as: UTF8.self) }
                text += String(decoding: try readLog(directory.appendingPathComponent(file)), as: UTF8.self)
                let replicaName = String(file.dropLast(4))
                guard let lines = ReplicaLogMarker.previousProcess(in: text.split(separator: "\n", omittingEmptySubsequences: false)) else {
                    if !prefix || replica != nil {
                        printError("mooring logs: \(name) replica \(replicaName) has no previous process in its log: it has not restarted since the log began (or its log was rotated away)")
                    }
                    continue
                }
                found = true
                emit(lines.suffix(tail).joined(separator: "\n") + "\n", replica: prefix ? replicaName : nil)
            }
            guard found else {
                if prefix && replica == nil {
                    printError("mooring logs: no replica of \(name) has a previous process in its log: none has restarted since its log began")
                }
                throw ExitCode(1)
            }
        }

        /// The names in a deployment's log directory, which must be a private directory of
        /// this user's (never a symlink); none when it does not exist.
        private func listLogs(in directory: URL) throws -> [String] {
            do {
                guard try OwnedFiles.linkStatus(directory.path) != nil else { return [] }
                try OwnedFiles.checkDirectory(directory.path)
                return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            } catch {
                printError("mooring logs: cannot read \(directory.path): \(error)")
                throw ExitCode(2)
            }
        }

        /// The whole log, opened without following a symlink (exit 2 when it is not a
        /// private regular file of this user's).
        private func readLog(_ url: URL) throws -> Data {
            do {
                let descriptor = try OwnedFiles.open(url.path, flags: O_RDONLY)
                let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                return try handle.readToEnd() ?? Data()
            } catch {
                printError("mooring logs: cannot read \(url.path): \(error)")
                throw ExitCode(2)
            }
        }

        /// The log opened for following; nil while it is missing (rotated away) or unsafe.
        private func openLog(_ url: URL) -> Int32? {
            do {
                return try OwnedFiles.open(url.path, flags: O_RDONLY)
            } catch {
                return nil
            }
        }

        private func emit(_ text: String, replica: String?) {
            guard !text.isEmpty else { return }
            guard let replica else {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let body = lines.enumerated().map { index, line in
                index == lines.count - 1 && line.isEmpty ? "" : "[\(replica)] \(line)"
            }.joined(separator: "\n")
            FileHandle.standardOutput.write(Data(body.utf8))
        }
    }
}
