import ArgumentParser
import Foundation
import MooringController
import MooringStore

extension Mooring {
    /// `mooring history [NAME]`: rollouts, oldest first — the audit trail.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show rollouts: revision, outcome, who made the commit and why.",
            discussion: """
            -o json and -o csv export every audit field: commit author, committer, subject, pull \
            request, signer, changed spec fields and outcome.

            Examples:
              mooring history iris                      # iris's rollouts, newest first
              mooring history --since 7d -o csv > audit.csv
            """)

        /// Output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case table, json, csv
        }

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Only this deployment.")
        var name: String?

        @Option(help: "How many of the most recent rollouts to show.")
        var limit: Int = 50

        @Option(help: ArgumentHelp("Only rollouts started within this long (30d, 12h, 90m).", valueName: "duration"))
        var since: DurationArgument?

        @Option(name: .shortAndLong, help: "Output format: table, json or csv.")
        var output: Format = .table

        func run() throws {
            let store = try openStateStore(global, command: "history")
            let cutoff = since.map { Date().addingTimeInterval(-Double($0.duration.components.seconds)) }
            let rollouts = try store.rolloutHistory(of: name, since: cutoff, limit: limit)
            switch output {
            case .json:
                print(stableJSON(try store.read { try $0.historyEntries(rollouts) }))
            case .csv:
                print(rolloutCSV(rollouts), terminator: "")
            case .table:
                guard !rollouts.isEmpty else { print("no rollouts"); return }
                let rows = rollouts.map { r -> [String] in
                    let duration = r.finishedAt.map { compactDuration(Int($0.timeIntervalSince(r.startedAt).rounded())) } ?? "-"
                    return [r.deployment, shortRevision(r.revision), shortRevision(r.fromRevision), r.strategy.rawValue, r.outcome.rawValue,
                            iso(r.startedAt), duration, r.pullRequest.map { "#\($0)" } ?? "-", r.author.map(authorName) ?? "-",
                            r.reason ?? r.subject ?? ""]
                }
                print(renderTable(["DEPLOYMENT", "REVISION", "FROM", "STRATEGY", "OUTCOME", "STARTED", "DURATION", "PR", "AUTHOR", "REASON/SUBJECT"], rows))
                try printCanarySteps(of: rollouts, store: store)
            }
        }

        /// The judged canary steps of the rollouts shown, as a second table (none: nothing).
        private func printCanarySteps(of rollouts: [RolloutRecord], store: StateStore) throws {
            var rows: [[String]] = []
            for rollout in rollouts {
                guard let id = rollout.id else { continue }
                for step in try store.canarySteps(of: id) {
                    rows.append([rollout.deployment, shortRevision(rollout.revision), "\(step.step)", "\(step.weight)%",
                                 "\(step.requests)", String(format: "%.2f", step.errorRatio), "\(step.responses5xx)",
                                 "\(step.connectionErrors)", step.responseTimeMillis.map { "\($0)" } ?? "-", "\(step.seconds)s",
                                 step.verdict])
                }
            }
            guard !rows.isEmpty else { return }
            print("\ncanary steps:")
            print(renderTable(["DEPLOYMENT", "REVISION", "STEP", "WEIGHT", "REQUESTS", "ERROR RATIO", "5XX", "CONN ERRORS", "RTIME MS", "TIME", "VERDICT"], rows))
        }

        /// `Ada <ada@example.com>` → `Ada`.
        private func authorName(_ author: String) -> String {
            author.split(separator: "<").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? author
        }
    }

    /// `mooring events [NAME]`: what happened, oldest first.
    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show events: time, deployment, reason and message.",
            discussion: """
            Examples:
              mooring events iris                       # why iris is where it is
              mooring events --limit 20                 # the last 20 events of every deployment
            """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Only this deployment.")
        var name: String?

        @Option(help: "How many of the most recent events to show.")
        var limit: Int = 100

        /// Output formats (`status`'s `wide` has no meaning here).
        enum Output: String, ExpressibleByArgument, CaseIterable { case table, json }

        @Option(name: .shortAndLong, help: "Output format: table or json.")
        var output: Output = .table

        func run() throws {
            let store = try openStateStore(global, command: "events")
            let events = try store.events(of: name, limit: limit).reversed()
            if output == .json { print(stableJSON(Array(events))); return }
            guard !events.isEmpty else { print("no events"); return }
            let rows = events.map { [iso($0.time), $0.deployment ?? "-", $0.type.rawValue, $0.reason, $0.message] }
            print(renderTable(["TIME", "DEPLOYMENT", "TYPE", "REASON", "MESSAGE"], rows))
        }
    }
}

/// Checks the state directory (``StateDirectory/verify(at:)``) and opens the state store
/// read-only, or exits 2 with the explanation.
func openStateStore(_ global: GlobalOptions, command: String) throws -> StateStore {
    do {
        let layout = try verifiedStateDirectory(global, command: command)
        return try StateStore(readOnlyPath: layout.database)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("mooring \(command): \(error)")
        throw ExitCode(2)
    }
}

/// `2026-11-23T19:42:04Z`.
func iso(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
}

/// The state directory after ``StateDirectory/verify(at:)``: a directory another user could
/// have written is refused (exit 2) before anything in it is read or trusted. With
/// `allowMissing`, a state directory that does not exist is returned as is (the command
/// says in its own words that there is nothing there).
func verifiedStateDirectory(_ global: GlobalOptions, command: String, allowMissing: Bool = false) throws -> StateLayout {
    let root = global.resolvedStateDirectory
    if allowMissing && !FileManager.default.fileExists(atPath: root.path) {
        return StateLayout(root: root)
    }
    do {
        return try StateDirectory.verify(at: root)
    } catch {
        printError("mooring \(command): \(error)")
        throw ExitCode(2)
    }
}
