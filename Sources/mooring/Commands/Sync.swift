import ArgumentParser
import Foundation
import MooringController
import MooringStatus

extension Mooring {
    /// `mooring sync [NAME] [--retry]`: fetch and reconcile now.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running controller to fetch and reconcile now, and print what changed.",
            discussion: """
            Waits until the controller has fetched and applied the tracked ref (up to --wait), then             prints the commit and what changed: deployments rolling out, added, removed, or held by             a rejected commit. `mooring status --wait` then waits for the rollouts themselves.             With --retry, NAME's quarantined spec (a failed rollout) is tried again.

            Examples:
              mooring sync                 # fetch now instead of at the next poll
              mooring sync --retry iris    # try iris's quarantined spec again
            """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "A deployment (required with --retry); it must exist.")
        var name: String?

        @Flag(help: "Lift the quarantine of NAME's failed spec so the controller tries it again.")
        var retry = false

        @Option(help: ArgumentHelp("How long to wait for the fetch and reconcile.", valueName: "duration"))
        var wait: DurationArgument = DurationArgument(.seconds(60))

        func validate() throws {
            if retry && name == nil { throw ValidationError("--retry needs the deployment: mooring sync --retry NAME") }
        }

        func run() async throws {
            if retry {
                try await sendRequest(.retry, deployment: name, command: "sync", global: global)
            }
            try await sendRequest(.sync, deployment: nil, checking: retry ? nil : name, command: "sync", global: global,
                                  wait: wait.duration)
        }
    }

    /// `mooring suspend NAME`: leave a deployment as it runs and ignore Git for it.
    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend a deployment: it keeps running as it is and ignores Git until resumed.",
            discussion: "Example:\n  mooring suspend iris && mooring status iris   # HEALTH Suspended")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The deployment.")
        var name: String

        func run() async throws {
            try await sendRequest(.suspend, deployment: name, command: "suspend", global: global)
        }
    }

    /// `mooring resume NAME`: follow Git again.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a suspended deployment: it follows Git again.",
            discussion: "Example:\n  mooring resume iris")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The deployment.")
        var name: String

        func run() async throws {
            try await sendRequest(.resume, deployment: name, command: "resume", global: global)
        }
    }
}

/// Sends a request to the running controller and prints what became of it. `checking`
/// names a deployment that must exist (a sync names one to check for a typo; the fetch is
/// the whole source's).
private func sendRequest(_ action: IntentAction, deployment: String?, checking: String? = nil, command: String,
                         global: GlobalOptions, wait: Duration = .seconds(10)) async throws {
    let layout = try verifiedStateDirectory(global, command: command, allowMissing: true)
    do {
        switch try await ControllerRequests.send(action, deployment: deployment, checking: checking, layout: layout, wait: wait) {
        case let .handled(outcome) where outcome == "done":
            print("\(command): asked the controller to fetch and reconcile now; `mooring status` shows the result")
        case let .handled(outcome) where outcome.hasPrefix("error: "):
            printError("mooring \(command): \(outcome.dropFirst("error: ".count))")
            throw ExitCode(1)
        case let .handled(outcome):
            print(outcome)
        case .pending:
            print("\(command): asked the controller; it has not handled the request yet (it is busy or stopping) — it will")
        }
    } catch let exit as ExitCode {
        throw exit
    } catch let error as ControllerError where error.code == .notRunning {
        printError("mooring \(command): \(error); tried \(triedAddress(layout))")
        throw ExitCode(1)
    } catch {
        printError("mooring \(command): \(error)")
        throw ExitCode(1)
    }
}

/// The API address a command looked for: the one recorded in `<state>/api`, else the default.
func triedAddress(_ layout: StateLayout) -> String {
    do {
        if let recorded = try layout.recordedAPIAddress() { return "the API at \(recorded) (recorded in \(layout.apiAddress.path))" }
    } catch {
        return "the API address file \(layout.apiAddress.path): \(error)"
    }
    return "the lock \(layout.lock.path); no API address is recorded in \(layout.apiAddress.path) (the default is http://127.0.0.1:7420)"
}
