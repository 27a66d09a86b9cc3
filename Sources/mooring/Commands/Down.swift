import ArgumentParser
import Foundation
import MooringController

extension Mooring {
    /// `mooring down`: stop every model process this state directory manages.
    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop every managed model process (the controller must be stopped first).",
            discussion: "The next `mooring run` starts the deployments again.")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("How long processes get after SIGTERM before SIGKILL.", valueName: "duration"))
        var grace: DurationArgument = DurationArgument(.seconds(30))

        func run() async throws {
            let layout = try verifiedStateDirectory(global, command: "down", allowMissing: true)
            if let pid = StateLock.holder(at: layout.lock) {
                printError("mooring down: controller pid \(pid) is running on \(layout.root.path) and would start the models again; stop it first (kill -TERM \(pid))")
                throw ExitCode(1)
            }
            let stopped = try await ProcessCleanup.stopAll(layout: layout, grace: grace.duration)
            print("stopped \(stopped) model process group\(stopped == 1 ? "" : "s")")
        }
    }
}
