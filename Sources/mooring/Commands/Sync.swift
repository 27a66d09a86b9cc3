import ArgumentParser
import Foundation
import MooringController

extension Mooring {
    /// `mooring sync [--retry NAME]`: fetch and reconcile now.
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running controller to fetch and reconcile now (sends it SIGHUP).",
            discussion: "--retry NAME first lifts the quarantine of NAME's failed spec, so the controller tries it again.")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Retry the quarantined spec of this deployment.", valueName: "name"))
        var retry: String?

        func run() throws {
            let layout = try verifiedStateDirectory(global, command: "sync", allowMissing: true)
            guard let pid = StateLock.holder(at: layout.lock) else {
                printError("mooring sync: no controller is running on \(layout.root.path); start one with `mooring run`")
                throw ExitCode(1)
            }
            if let name = retry {
                do {
                    switch try Retry.liftQuarantine(of: name, layout: layout) {
                    case let .lifted(hash):
                        print("lifted the quarantine of \(name)'s spec \(hash.prefix(12))")
                    case .notQuarantined:
                        print("\(name) has no quarantined spec; nothing to retry")
                    }
                } catch {
                    printError("mooring sync: \(error)")
                    throw ExitCode(1)
                }
            }
            guard kill(pid, SIGHUP) == 0 else {
                printError("mooring sync: cannot signal controller pid \(pid): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
            print("asked controller \(pid) to sync")
        }
    }
}
