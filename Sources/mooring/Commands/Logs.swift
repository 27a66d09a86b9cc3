import ArgumentParser
import Foundation
import MooringController

extension Mooring {
    /// `mooring logs NAME [-f]`: a deployment's model-server output.
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the log of a deployment's replicas (stdout and stderr of the model server).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The deployment.")
        var name: String

        @Option(help: "Only this replica (0, 1, …).")
        var replica: Int?

        @Option(help: "How many lines from the end to print first.")
        var tail: Int = 100

        @Flag(name: .shortAndLong, help: "Keep printing what is appended, until interrupted.")
        var follow = false

        func run() async throws {
            let layout = StateLayout(root: global.resolvedStateDirectory)
            let directory = layout.logs.appendingPathComponent(name)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".log") }
                .filter { replica == nil || $0 == "\(replica ?? 0).log" }
                .sorted()
            guard !names.isEmpty else {
                printError("mooring logs: no logs for \(name)\(replica.map { " replica \($0)" } ?? "") under \(directory.path); `mooring status` lists the deployments")
                throw ExitCode(1)
            }
            let prefix = names.count > 1
            var offsets: [String: UInt64] = [:]
            for file in names {
                let url = directory.appendingPathComponent(file)
                let data = (try? Data(contentsOf: url)) ?? Data()
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
                    guard let handle = try? FileHandle(forReadingFrom: url) else { continue }
                    defer { try? handle.close() }
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
