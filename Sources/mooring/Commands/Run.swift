import ArgumentParser
import Foundation
import Logging
import MooringController
import MooringServer
import MooringSupervisor
import ServiceLifecycle

extension Mooring {
    /// `mooring run`: the controller.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the controller: keep this host's models equal to the Git ref.",
            discussion: """
            With no flags inside a Git checkout it deploys ./manifests of the current branch \
            with state in .mooring. SIGHUP fetches now and reads the request queue; SIGTERM/SIGINT stop \
            the controller and leave the models running (the next controller adopts them).

            Examples:
              mooring run                               # ./manifests of this checkout, state in .mooring
              mooring run --repo https://git.example.com/ml/deployments.git --branch main \\
                --state-dir /var/lib/mooring --interval 1m --webhook-secret-file /etc/mooring/webhook
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: SourceOptions
        @OptionGroup var hostConfig: ConfigOptions

        @Option(help: ArgumentHelp("How often to fetch (500ms, 30s, 5m, 1h) (default: interval of the host configuration, else 30s).", valueName: "duration"))
        var interval: DurationArgument?

        @Option(name: .customLong("port-range"), help: ArgumentHelp("Ports for replicas, as FIRST-LAST (default: portRange of the host configuration, else 20000-29999).", valueName: "range"))
        var portRange: String?

        @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel: String = "info"

        @Option(name: .customLong("log-format"), help: "text (one line per record) or json (one JSON object per line: time, level, label, message, metadata).")
        var logFormat: String = "text"

        @OptionGroup var api: APIOptions

        func validate() throws {
            guard portRange == nil || parsedPortRange != nil else {
                throw ValidationError("--port-range must be FIRST-LAST with 1 ≤ FIRST ≤ LAST ≤ 65535, such as 20000-29999")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
            guard logFormat == "text" || logFormat == "json" else {
                throw ValidationError("--log-format must be text or json")
            }
            guard (interval?.duration ?? .seconds(30)) >= .milliseconds(100) else {
                throw ValidationError("--interval must be at least 100ms")
            }
            try api.validate()
        }

        var parsedPortRange: ClosedRange<Int>? {
            guard let portRange else { return nil }
            let parts = portRange.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1], parts[1] <= 65535 else { return nil }
            return parts[0]...parts[1]
        }

        func run() async throws {
            // `mooring sync` signals whatever pid holds the lock with SIGHUP. Until the loop
            // traps it (after recovery), SIGHUP's default action would kill the controller;
            // ignored here, and the loop reads the request queue once it starts, so a sync
            // sent during start-up is answered rather than fatal. (Model processes start with
            // every signal at its default.)
            signal(SIGHUP, SIG_IGN)
            let level = Logger.Level(rawValue: logLevel) ?? .info
            let json = logFormat == "json"
            LoggingSystem.bootstrap { label in
                if json {
                    var handler = JSONLogHandler(label: label)
                    handler.logLevel = level
                    return handler
                }
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "mooring")
            let host = try hostConfig.load(command: "run", exitCode: 1)
            let stateDirectory = global.resolvedStateDirectory
            let lock: StateLock
            let apiConfiguration: APIConfiguration
            let layout: StateLayout
            let shutdown = ShutdownRequest()
            do {
                layout = try StateDirectory.prepare(at: stateDirectory)
                apiConfiguration = try api.configuration(layout: layout, trackedRef: source.trackedRef, shutdown: shutdown, host: host)
                try apiConfiguration.validate()
                lock = try StateLock.acquire(at: layout.lock)
            } catch {
                printError("mooring run: \(error)")
                throw ExitCode(1)
            }
            let resolved = source.resolved(with: host)
            var configuration = ControllerConfiguration(
                repository: resolved.repository, reference: resolved.reference, manifestsPath: resolved.path,
                stateDirectory: stateDirectory, interval: interval?.duration ?? host?.interval ?? .seconds(30),
                portRange: parsedPortRange ?? host?.portRange ?? 20000...29999, credentials: resolved.credentials)
            configuration.apply(host)
            if let host { logger.info("host configuration \(host.file): policy.runtimes \(host.policy.runtimes.rawValue)") }
            // The small C stamper installed beside this binary; this binary itself when it is missing.
            let stamper = LogStamper.besideThisBinary("mooring-stamp-log") ?? LogStamper.thisBinary(arguments: ["__stamp-log"])
            if stamper == nil { logger.warning("cannot find this program's own binary (/proc/self/exe): replica logs are written without timestamps") }
            let supervisor = Supervisor(portRange: configuration.portRange, logger: logger,
                                        containment: .detect(scope: StateLayout(root: stateDirectory).root.path),
                                        logStamper: stamper)
            let controller: Controller
            do {
                controller = try Controller(configuration: configuration, runner: supervisor, logger: logger)
            } catch {
                printError("mooring run: \(error)")
                throw ExitCode(1)
            }
            logger.info("controller \(getpid()) watching \(configuration.displayRepository) (\(configuration.reference), path \(configuration.manifestsPath)), state in \(stateDirectory.path)")
            // The supervisor starts first and stops last: the controller's loop ends before
            // the supervisor lets go of its processes (which keep running).
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: SupervisorService(supervisor: supervisor)),
                    .init(service: controller, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: APIServer(configuration: apiConfiguration, controller: controller, logger: logger),
                          successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            shutdown.onRequest { await group.triggerGracefulShutdown() }
            do {
                try await group.run()
            } catch {
                printError("mooring run: \(error)")
                throw ExitCode(1)
            }
            if let grace = shutdown.grace {
                // `mooring down` through the API: the loop has ended, so nothing starts them again.
                logger.info("down requested: stopping every model process (grace \(grace))")
                do {
                    let stopped = try await ProcessCleanup.stopAll(layout: layout, grace: grace)
                    logger.info("stopped \(stopped) model process group\(stopped == 1 ? "" : "s")")
                } catch {
                    logger.error("could not stop every model process: \(error); run `mooring down` again")
                    throw ExitCode(1)
                }
            }
            withExtendedLifetime(lock) {}
            if shutdown.grace == nil { logger.info("controller stopped; model processes keep running") }
        }
    }
}

/// The supervisor as a service: it watches and probes model processes — each replica's
/// supervision a child task of this service — until graceful shutdown, then stops
/// watching without stopping them (the next controller adopts them).
struct SupervisorService: Service {
    let supervisor: Supervisor

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            // Every replica's supervision is a child task of this service.
            group.addTask { await supervisor.run() }
            try? await gracefulShutdown()
            await supervisor.shutdown()
        }
    }
}
