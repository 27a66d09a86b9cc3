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
            Logs are kept per replica and generation (one generation per rollout), every line \
            with a UTC timestamp. Without --previous: the serving generation's replicas (the \
            newest generation when none serves). --previous: the replica's process before its \
            last restart, or, when it has not restarted, the replica it replaced in the \
            generation before. Works with the controller down.

            Examples:
              mooring logs iris
              mooring logs iris --replica 1 --tail 20
              mooring logs iris -f
              mooring logs iris --previous      # why did it crash?
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

        @Flag(help: "Print the replica's previous process (before its last restart, or the replica it replaced) instead.")
        var previous = false

        func validate() throws {
            if previous && follow { throw ValidationError("--previous prints a process that has ended: it cannot be followed (-f)") }
            if tail < 0 { throw ValidationError("--tail \(tail): give 0 or more lines") }
        }

        func run() async throws {
            let layout = try verifiedStateDirectory(global, command: "logs", allowMissing: true)
            let logs: ReplicaLogFiles
            do {
                logs = try ReplicaLogFiles.load(layout: layout, deployment: name)
            } catch {
                printError("mooring logs: cannot read the logs of \(name) under \(layout.logs.path): \(error)")
                throw ExitCode(2)
            }
            guard let current = logs.current else {
                printError("mooring logs: no logs for \(name) under \(layout.logs.appendingPathComponent(name).path); `mooring status` lists the deployments")
                throw ExitCode(1)
            }
            let files = current.replicas.filter { replica == nil || $0.key == replica }.sorted { $0.key < $1.key }
            guard !files.isEmpty else {
                printError("mooring logs: \(name) has no replica \(replica ?? 0) in generation \(current.name) (replicas: \(current.replicas.keys.sorted().map(String.init).joined(separator: ", ")))")
                throw ExitCode(1)
            }
            let prefix = files.count > 1
            if previous {
                try printPrevious(files, of: current.name, in: logs, prefix: prefix)
                return
            }
            var offsets: [Int: UInt64] = [:]
            for (index, url) in files {
                let data = try readLog(url)
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                let shown = lines.suffix(tail + (lines.last == "" ? 1 : 0)).joined(separator: "\n")
                emit(shown, replica: prefix ? String(index) : nil)
                offsets[index] = UInt64(data.count)
            }
            guard follow else { return }
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                for (index, url) in files {
                    guard let descriptor = openLog(url) else { continue }
                    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                    let size = (try? handle.seekToEnd()) ?? 0
                    var offset = offsets[index] ?? 0
                    if size < offset { offset = 0 } // rotated: start over
                    guard size > offset else { continue }
                    try? handle.seek(toOffset: offset)
                    let data = (try? handle.readToEnd()) ?? Data()
                    offsets[index] = offset + UInt64(data.count)
                    emit(String(decoding: data, as: UTF8.self), replica: prefix ? String(index) : nil)
                }
            }
        }

        /// `--previous`: for each replica, the lines from its second-to-last start line (which
        /// the supervisor writes before every process) up to its last one, across the
        /// rotated files (`N.log.3` … `N.log.1`, then `N.log`); when it has had one process
        /// only, the last process of the replica it replaced (the same index in the
        /// generation before).
        private func printPrevious(_ files: [(key: Int, value: URL)], of generation: String,
                                   in logs: ReplicaLogFiles, prefix: Bool) throws {
            var found = false
            for (index, url) in files {
                let lines: [Substring]
                if let earlier = ReplicaLogMarker.previousProcess(in: try readWithRotated(url)) {
                    lines = earlier
                } else if let replaced = logs.earlier(than: generation, replica: index) {
                    let all = try readWithRotated(replaced.file)
                    let start = all.lastIndex(where: ReplicaLogMarker.isStartLine) ?? all.startIndex
                    lines = Array(all[start...].reversed().drop { $0.isEmpty }.reversed())
                } else {
                    if !prefix || replica != nil {
                        printError("mooring logs: \(name) replica \(index) has no previous process in its log: it has not restarted and replaced no earlier replica since the logs began (or its log was rotated away)")
                    }
                    continue
                }
                found = true
                emit(lines.suffix(tail).joined(separator: "\n") + "\n", replica: prefix ? String(index) : nil)
            }
            guard found else {
                if prefix && replica == nil {
                    printError("mooring logs: no replica of \(name) has a previous process in its log: none has restarted or replaced an earlier one since the logs began")
                }
                throw ExitCode(1)
            }
        }

        /// The lines of `url` with its rotated files before it (`N.log.3` … `N.log.1`, `N.log`).
        private func readWithRotated(_ url: URL) throws -> [Substring] {
            let directory = url.deletingLastPathComponent()
            let file = url.lastPathComponent
            let all: [String]
            do {
                all = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            } catch {
                printError("mooring logs: cannot read \(directory.path): \(error)")
                throw ExitCode(2)
            }
            let rotated = all.compactMap { name -> Int? in
                guard name.hasPrefix(file + "."), let index = Int(name.dropFirst(file.count + 1)) else { return nil }
                return index
            }.sorted(by: >)
            var text = ""
            for index in rotated { text += String(decoding: try readLog(directory.appendingPathComponent("\(file).\(index)")), as: UTF8.self) }
            text += String(decoding: try readLog(url), as: UTF8.self)
            return text.split(separator: "\n", omittingEmptySubsequences: false)
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
