import ArgumentParser
import Foundation
import MooringController
import MooringServer

extension Mooring {
    /// `mooring down`: stop every model process this state directory manages.
    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop every managed model process (through the running controller, if one runs).",
            discussion: """
            With a controller running, asks it over its HTTP API (the address in <state>/api) to stop \
            every model process and then itself; with none, stops them directly. The next `mooring run` \
            starts the deployments again.

            Examples:
              mooring down                              # stop every model of ./.mooring
              mooring down --state-dir /var/lib/mooring --grace 60s
            """)

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("How long processes get after SIGTERM before SIGKILL.", valueName: "duration"))
        var grace: DurationArgument = DurationArgument(.seconds(30))

        @Option(name: .customLong("api-token-file"),
                help: ArgumentHelp("The controller's bearer token, when its API listens off loopback.", valueName: "path"))
        var apiTokenFile: String?

        func run() async throws {
            let layout = try verifiedStateDirectory(global, command: "down")
            let throughController = StateLock.holder(at: layout.lock)
            if let pid = throughController {
                try await downThroughController(pid: pid, layout: layout)
            }
            let stopped: Int
            do {
                stopped = try await ProcessCleanup.stopAll(layout: layout, grace: grace.duration)
            } catch {
                printError("mooring down: \(error)")
                throw ExitCode(1)
            }
            if throughController != nil && stopped == 0 {
                print("no model process is left running in \(layout.root.path)")
            } else {
                print("stopped \(stopped) model process group\(stopped == 1 ? "" : "s")\(throughController != nil ? " the controller left running" : "")")
            }
        }

        /// Asks the controller to stop the models and itself, and waits until it has.
        private func downThroughController(pid: Int32, layout: StateLayout) async throws {
            guard let address = try ControllerClient.recordedAddress(layout) else {
                printError("mooring down: controller pid \(pid) is running on \(layout.root.path) but recorded no API address in \(layout.apiAddress.path); stop it first (kill -TERM \(pid)), then run `mooring down` again")
                throw ExitCode(1)
            }
            let token = try apiTokenFile.map { try APIConfiguration.readSecret($0, flag: "--api-token-file") }
            let seconds = Int(grace.duration.components.seconds)
            let reply: ControllerClient.Reply
            do {
                reply = try await ControllerClient(address: address, token: token).send("POST", "/api/v1/down?grace=\(seconds)")
            } catch {
                printError("mooring down: controller pid \(pid) holds \(layout.lock.path), but \(error); stop it with kill -TERM \(pid), then run `mooring down` again")
                throw ExitCode(1)
            }
            guard reply.status == 202 else {
                printError("mooring down: the controller at \(address) refused (\(reply.status)): \(reply.message)")
                throw ExitCode(1)
            }
            print("asked controller pid \(pid) at \(address): \(reply.message)")
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: grace.duration + .seconds(60))
            while StateLock.holder(at: layout.lock) != nil {
                guard clock.now < deadline else {
                    printError("mooring down: controller pid \(pid) has not stopped within \(grace.duration) + 60s; look at its log, then kill -TERM \(pid)")
                    throw ExitCode(1)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
