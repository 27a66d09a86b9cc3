import ArgumentParser
import Dispatch
import Foundation
import Logging
import MooringController

extension Mooring {
    /// `mooring run`: the controller.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the controller: keep this host's models equal to the Git ref.",
            discussion: """
            With no flags inside a Git checkout it deploys ./manifests of the current branch \
            with state in .mooring. SIGHUP fetches now; SIGTERM/SIGINT stop the controller \
            and leave the models running (the next controller adopts them).
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: SourceOptions

        @Option(help: ArgumentHelp("How often to fetch (500ms, 30s, 5m, 1h).", valueName: "duration"))
        var interval: DurationArgument = DurationArgument(.seconds(30))

        @Option(name: .customLong("port-range"), help: ArgumentHelp("Ports for replicas, as FIRST-LAST.", valueName: "range"))
        var portRange: String = "20000-29999"

        @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel: String = "info"

        func validate() throws {
            guard parsedPortRange != nil else {
                throw ValidationError("--port-range must be FIRST-LAST with 1 ≤ FIRST ≤ LAST ≤ 65535, such as 20000-29999")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
            guard interval.duration >= .milliseconds(100) else {
                throw ValidationError("--interval must be at least 100ms")
            }
        }

        var parsedPortRange: ClosedRange<Int>? {
            let parts = portRange.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1], parts[1] <= 65535 else { return nil }
            return parts[0]...parts[1]
        }

        func run() async throws {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "mooring")
            let stateDirectory = global.resolvedStateDirectory
            let lock: StateLock
            do {
                lock = try StateLock.acquire(at: StateLayout(root: stateDirectory).lock)
            } catch {
                printError("mooring run: \(error)")
                throw ExitCode(1)
            }
            let configuration = ControllerConfiguration(
                repository: source.repository, reference: source.reference, manifestsPath: source.path,
                stateDirectory: stateDirectory, interval: interval.duration,
                portRange: parsedPortRange ?? 20000...29999, credentials: source.credentials)
            let controller: Controller
            do {
                controller = try Controller(configuration: configuration, logger: logger)
            } catch {
                printError("mooring run: \(error)")
                throw ExitCode(1)
            }
            logger.info("controller \(getpid()) watching \(configuration.displayRepository) (\(configuration.reference), path \(configuration.manifestsPath)), state in \(stateDirectory.path)")
            let signals = SignalWatcher(
                onSync: { controller.requestSync() },
                onStop: { controller.requestShutdown() })
            try await controller.run()
            withExtendedLifetime((lock, signals)) {}
            logger.info("controller stopped; model processes keep running")
        }
    }
}

/// Turns SIGHUP into a sync and SIGTERM/SIGINT into a graceful stop, through dispatch
/// sources (no work in a signal handler).
final class SignalWatcher: @unchecked Sendable { // sources are only touched in init and deinit
    private let sources: [any DispatchSourceSignal]

    init(onSync: @escaping @Sendable () -> Void, onStop: @escaping @Sendable () -> Void) {
        var sources: [any DispatchSourceSignal] = []
        for (number, action) in [(SIGHUP, onSync), (SIGTERM, onStop), (SIGINT, onStop)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
