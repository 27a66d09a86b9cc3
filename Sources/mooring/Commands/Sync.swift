import ArgumentParser
import Foundation
import MooringController

extension Mooring {
    /// `mooring sync`: fetch and reconcile now.
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running controller to fetch and reconcile now (sends it SIGHUP).")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let layout = StateLayout(root: global.resolvedStateDirectory)
            guard let pid = StateLock.holder(at: layout.lock) else {
                printError("mooring sync: no controller is running on \(layout.root.path); start one with `mooring run`")
                throw ExitCode(1)
            }
            guard kill(pid, SIGHUP) == 0 else {
                printError("mooring sync: cannot signal controller pid \(pid): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
            print("asked controller \(pid) to sync")
        }
    }
}
