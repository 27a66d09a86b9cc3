import ArgumentParser
import Foundation
import MooringController
import MooringStatus

extension Mooring {
    /// `mooring status`: where every deployment stands, from the state store.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the source and every deployment's sync and health.",
            discussion: """
            --wait exits 0 once every deployment is Synced and Healthy at the fetched commit; 1 as soon \
            as one is Degraded or Unknown (once its automatic rollback has finished), the tip commit is \
            rejected, or no controller runs to change anything; 1 on timeout.

            Examples:
              mooring status
              mooring status iris -o json
              mooring status -o wide               # every replica's address and named ports
              mooring status --wait --timeout 5m   # in a deploy script
            """
        )

        enum Output: String, ExpressibleByArgument, CaseIterable { case table, wide, json }

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Only this deployment.")
        var name: String?

        @Option(name: .shortAndLong, help: "Output format: table, wide (adds every replica's private address and named ports) or json.")
        var output: Output = .table

        @Flag(help: "Wait until every deployment is Synced and Healthy (exit 0) or Degraded (exit 1).")
        var wait = false

        @Option(help: ArgumentHelp("How long --wait waits (500ms, 30s, 5m, 1h).", valueName: "duration"))
        var timeout: DurationArgument = DurationArgument(.seconds(300))

        func run() async throws {
            let directory = global.resolvedStateDirectory
            var report = try load(directory)
            if wait {
                let clock = ContinuousClock()
                let deadline = clock.now.advanced(by: timeout.duration)
                // A failure waits out its automatic rollback, so the report is where it settled.
                while report.keepsWaiting && clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(250))
                    report = try load(directory)
                }
            }
            print(output == .json ? stableJSON(report) : render(report))
            if wait {
                if report.isSettled && report.failure == nil { return }
                printError("mooring status: " + (report.failure ?? "not Synced and Healthy within \(timeout.duration)"))
                throw ExitCode(1)
            }
        }

        private func load(_ directory: URL) throws -> StatusReport {
            do {
                _ = try StateDirectory.verify(at: directory)
                return try StatusReport.load(stateDirectory: directory, only: name)
            } catch {
                printError("mooring status: \(error)")
                throw ExitCode(2)
            }
        }

        private func render(_ report: StatusReport) -> String {
            var lines: [String] = []
            if let source = report.source {
                lines.append("SOURCE      \(source.repo)  \(source.branch)  path \(source.path)")
                let commit = source.commit.map { "\(shortRevision($0)) \"\(source.subject ?? "")\"" } ?? "-"
                var fetch = "COMMIT      \(commit)  fetched \(source.lastFetch.map { age(since: $0) + " ago" } ?? "never")"
                if let next = source.nextFetch {
                    fetch += next > Date() ? ", next in \(age(since: next))" : ", next now"
                }
                lines.append(fetch)
                lines.append("CONTROLLER  " + (source.controllerRunning ? "running (pid \(source.controllerPid.map(String.init) ?? "?"))" : "not running"))
                if let problem = source.storeError {
                    lines.append("STORE       cannot write the state store (this report may be behind): \(problem)")
                }
                if let error = source.error {
                    let errorLines = error.split(separator: "\n", omittingEmptySubsequences: false)
                    lines.append("ERROR       " + (errorLines.first.map(String.init) ?? ""))
                    for extra in errorLines.dropFirst() { lines.append("            " + extra) }
                }
                lines.append("")
            }
            if report.deployments.isEmpty {
                lines.append(name.map { "no deployment named \($0)" } ?? "no deployments")
            } else {
                let wide = output == .wide
                let rows = report.deployments.map { d in
                    [d.name, d.sync, d.health, "\(d.readyReplicas)/\(d.replicas)", d.modelVersion ?? "-",
                     shortRevision(d.desiredRevision), shortRevision(d.appliedRevision), d.endpoint ?? "-"]
                    + (wide ? [(d.replicaEndpoints ?? []).isEmpty ? "-" : (d.replicaEndpoints ?? []).joined(separator: ",")] : [])
                    + [age(since: d.createdAt), oneLine(d.message)]
                }
                let headers = ["NAME", "SYNC", "HEALTH", "READY", "VERSION", "DESIRED", "APPLIED", "ENDPOINT"]
                    + (wide ? ["REPLICAS"] : []) + ["AGE", "MESSAGE"]
                lines.append(renderTable(headers, rows))
                if wide { lines += renderReplicas(report) }
            }
            return lines.joined(separator: "\n")
        }
    }
}

/// A status message as the table shows it: one line, at most 160 characters (the whole
/// text is in `-o json` and `mooring events`).
func oneLine(_ message: String, limit: Int = 160) -> String {
    let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
}
