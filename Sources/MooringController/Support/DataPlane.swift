import Foundation
import Logging
import MooringSupervisor
import MooringTraffic

/// The controller's HAProxy: one master-worker process per state directory, run by the
/// supervisor like a model (its own session, adopted by a restarted controller: same pid),
/// its configuration under `<state>/traffic/`, and its servers changed through the runtime
/// API. ``reconcile(_:)`` makes it equal to the wanted backends and reports, per backend,
/// which draining servers are idle and what keeps an endpoint from being served.
actor DataPlane {
    /// What a reconcile found.
    struct Report: Sendable {
        /// Per deployment: draining servers with no session and no queued request.
        var idle: [String: Set<String>] = [:]
        /// Per deployment: why its endpoint is not served (nil: it is).
        var problems: [String: String?] = [:]
    }

    /// The supervisor's name for the HAProxy process: not a DNS label, so no deployment has it.
    static let processID = ReplicaID(deployment: "mooring.traffic", replica: 0, generation: "haproxy")

    /// What the adoption record in `haproxy.json` holds.
    struct Record: Codable {
        var identity: ProcessIdentity
        /// The listener part of the configuration the process runs (reload when it differs).
        var listeners: String
    }

    let directory: URL
    let runner: any ReplicaRunner
    let logger: Logger
    let runtime: HAProxyRuntime
    /// The listeners the running HAProxy was configured with, once known.
    private var running: Record?
    private var adoptionTried = false

    init(stateDirectory: URL, runner: any ReplicaRunner, logger: Logger) {
        self.directory = stateDirectory.appendingPathComponent("traffic")
        self.runner = runner
        self.logger = logger
        self.runtime = HAProxyRuntime(socketPath: directory.appendingPathComponent("haproxy.sock").path)
    }

    var configFile: URL { directory.appendingPathComponent("haproxy.cfg") }
    var recordFile: URL { directory.appendingPathComponent("haproxy.json") }

    /// The pid of the HAProxy master, when one runs.
    var masterPid: Int32? { running?.identity.pid }

    /// The supervisor reported on the HAProxy process (a restart gives a new pid).
    func observe(_ snapshot: ReplicaSnapshot) {
        guard var record = running else { return }
        if let identity = snapshot.identity, identity != record.identity {
            record.identity = identity
            running = record
            save(record)
        }
        if snapshot.state == .exited || snapshot.state == .crashLoop { running?.listeners = "" }
    }

    /// Makes HAProxy serve `backends`, and publishes their request counters.
    func reconcile(_ backends: [TrafficBackend]) async -> Report {
        var report = Report()
        // Each served endpoint's counters, for `/metrics` (``EndpointMetrics``): none
        // unless this pass read them from HAProxy.
        var totals: [String: ServerStats] = [:]
        defer { EndpointMetrics.publish(totals) }
        func failAll(_ problem: String) -> Report {
            var failed = Report()
            for backend in backends { failed.problems[backend.name] = problem }
            return failed
        }
        if !adoptionTried {
            adoptionTried = true
            await adopt()
        }
        guard !backends.isEmpty || running == nil else {
            await stop()
            return report
        }
        guard !backends.isEmpty else { return report }
        guard let binary = Self.haproxyBinary() else {
            return failAll("HAProxy is not installed (no `haproxy` in PATH or /usr/sbin); install it (apt-get install haproxy, or scripts/install-deps.sh) — the replicas keep running on their private ports")
        }
        // An endpoint whose port another program holds is left out (and says so); the
        // others are served. Ports HAProxy already listens on are HAProxy's own.
        let bound = Self.bindings(in: running?.listeners ?? "")
        var taken: [String: String] = [:]
        for backend in backends where !bound.contains(Self.binding(backend)) {
            if let problem = Self.portProblem(address: backend.address, port: backend.port) { taken[backend.name] = problem }
        }
        let backends = backends.filter { taken[$0.name] == nil }
        for (name, problem) in taken { report.problems[name] = problem }
        guard !backends.isEmpty else { return report }
        let listeners = HAProxyConfig.render(backends.map { TrafficBackend(name: $0.name, address: $0.address, port: $0.port, mode: $0.mode, checkPath: $0.checkPath, checkIntervalSeconds: $0.checkIntervalSeconds, checkFall: $0.checkFall, checkRise: $0.checkRise, servers: []) }, socketPath: runtime.socketPath)
        if running?.listeners != listeners {
            if let problem = await configure(backends, listeners: listeners, binary: binary) {
                return failAll(problem)
            }
        }
        let runtime = self.runtime
        let rows: [ServerStats]
        do {
            rows = try await Blocking.run { try runtime.stats() }
        } catch {
            return failAll("HAProxy's runtime API does not answer (\(error)); the supervisor restarts HAProxy if it exited")
        }
        for backend in backends {
            totals[backend.name] = rows.first { $0.proxy == backend.backendName && $0.server == "BACKEND" }
        }
        for backend in backends {
            let commands = RuntimeCommands.plan(backend, current: rows)
            var problem: String?
            for command in commands {
                do {
                    try await Blocking.run { try runtime.change(command) }
                } catch where command.hasPrefix("del server") {
                    // Sessions still open on a server taken out: deleted at a later pass.
                    logger.debug("\(error); retried")
                } catch {
                    problem = "\(error)"
                }
            }
            report.problems[backend.name] = .some(problem)
            let draining = Set(backend.servers.filter { $0.state == .drain }.map(\.name))
            report.idle[backend.name] = Set(rows.filter {
                $0.proxy == backend.backendName && draining.contains($0.server)
                    && RuntimeCommands.state(of: $0) == .drain && $0.isIdle
            }.map(\.server))
        }
        return report
    }

    /// Why counters could not be read.
    struct CountersProblem: Error, CustomStringConvertible {
        var description: String
    }

    /// How long a reading waits for HAProxy to carry the wanted weights (the traffic loop
    /// applies them within a pass, ``Controller/trafficInterval``) before it fails.
    static let weightsWait: Duration = .seconds(5)

    /// The cumulative counters of `generation`'s servers in `deployment`'s backend, by
    /// server name, as a canary step's numbers are measured (docs/traffic.md, "Canaries").
    /// Read only once HAProxy carries `wanted`'s servers and weights (the machine's backend
    /// when the reading was asked for), so a step's numbers and pause count from when its
    /// split is in force, not from when it was decided.
    func counters(deployment: String, generation: String, wanted: TrafficBackend?) async -> Result<[String: ServerCounters], CountersProblem> {
        let runtime = self.runtime
        let backend = "be_\(deployment)"
        let deadline = ContinuousClock.now + Self.weightsWait
        var rows: [ServerStats]
        while true {
            do {
                rows = try await Blocking.run { try runtime.stats() }
            } catch {
                return .failure(CountersProblem(description: "HAProxy's runtime API does not answer: \(error)"))
            }
            guard rows.contains(where: { $0.proxy == backend }) else {
                return .failure(CountersProblem(description: "HAProxy has no backend \(backend) yet"))
            }
            let pending = wanted.map { RuntimeCommands.notYetCarried($0, current: rows) } ?? []
            if pending.isEmpty { break }
            guard ContinuousClock.now < deadline else {
                return .failure(CountersProblem(description: "HAProxy does not carry the wanted weights of \(pending.joined(separator: ", ")) yet"))
            }
            do { try await Task.sleep(for: .milliseconds(100)) } catch {
                return .failure(CountersProblem(description: "the reading was cancelled"))
            }
        }
        var servers: [String: ServerCounters] = [:]
        for row in rows where row.proxy == backend && row.isServer
            && DeploymentMachine.replicaKey(serverName: row.server)?.generation == generation {
            servers[row.server] = ServerCounters(
                responses: row.responses, responses5xx: row.responses5xx, connectionErrors: row.connectionErrors,
                responseErrors: row.responseErrors, responseTimeMillis: row.responseTimeMillis)
        }
        return .success(servers)
    }

    // MARK: Ports

    /// `address:port` as the configuration's `bind` line has it.
    static func binding(_ backend: TrafficBackend) -> String {
        (backend.address.contains(":") ? "[\(backend.address)]" : backend.address) + ":\(backend.port)"
    }

    /// The `bind` addresses of a rendered configuration.
    static func bindings(in config: String) -> Set<String> {
        Set(config.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("bind ") ? String(trimmed.dropFirst(5)) : nil
        })
    }

    /// Why HAProxy could not listen on `address:port`, found by binding it once here
    /// (with `SO_REUSEADDR`, as HAProxy does); nil when it is free.
    static func portProblem(address: String, port: Int) -> String? {
        let v6 = address.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if v6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, address, &sa.sin6_addr)
            result = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, address, &sa.sin_addr)
            result = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard result != 0 else { return nil }
        let reason = String(cString: strerror(errno))
        return errno == EADDRINUSE
            ? "port \(port) on \(address) is taken by another program (\(reason)); free it or change spec.endpoint.port — the replicas keep running on their private ports"
            : "cannot listen on \(address):\(port) (\(reason)); fix spec.endpoint — the replicas keep running on their private ports"
    }

    // MARK: Process

    /// Writes, checks and applies a configuration with new listeners: starts HAProxy or
    /// reloads it. Returns a problem when it cannot; what serves then is left as it was.
    private func configure(_ backends: [TrafficBackend], listeners: String, binary: String) async -> String? {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return "cannot create \(directory.path): \(error); check the state directory's permissions"
        }
        let text = HAProxyConfig.render(backends, socketPath: runtime.socketPath)
        let candidate = directory.appendingPathComponent("haproxy.cfg.new")
        do {
            try Data(text.utf8).write(to: candidate, options: .atomic)
        } catch {
            return "cannot write \(candidate.path): \(error); check free disk space"
        }
        let check = await Self.run(binary, ["-c", "-q", "-f", candidate.path])
        guard check.status == 0 else {
            let reason = check.output.split(separator: "\n").first { $0.contains("ALERT") }.map(String.init) ?? check.output
            return "HAProxy rejected the configuration (\(reason.trimmingCharacters(in: .whitespaces))); the data plane keeps its previous configuration — see \(candidate.path)"
        }
        do {
            if FileManager.default.fileExists(atPath: configFile.path) { try FileManager.default.removeItem(at: configFile) }
            try FileManager.default.moveItem(at: candidate, to: configFile)
        } catch {
            return "cannot install \(configFile.path): \(error)"
        }
        if var record = running, kill(record.identity.pid, 0) == 0 {
            let before = await ask("show info") ?? ""
            // SIGUSR2: the master re-reads the file and starts a new worker on the same
            // sockets; the old worker finishes what it holds (docs/traffic.md).
            kill(record.identity.pid, SIGUSR2)
            guard await waitForWorker(replacing: before, serving: backends) else {
                return "HAProxy did not take the new configuration within 10s (a port taken by another program? see \(directory.appendingPathComponent("haproxy.log").path)); what served before keeps serving"
            }
            record.listeners = listeners
            running = record
            save(record)
            return nil
        }
        let spec = processSpec(binary: binary)
        do {
            await runner.stop(Self.processID)
            let snapshot = try await runner.start(Self.processID, spec: spec)
            guard let identity = snapshot.identity else { return "HAProxy started without a process the supervisor could see" }
            let record = Record(identity: identity, listeners: listeners)
            running = record
            save(record)
        } catch {
            return "cannot start HAProxy: \(error)"
        }
        guard await waitForWorker(replacing: nil, serving: backends) else {
            running?.listeners = ""
            return "HAProxy started but does not serve within 10s (a port taken by another program? see \(directory.appendingPathComponent("haproxy.log").path))"
        }
        return nil
    }

    /// Waits until the runtime API answers from a worker other than the one that answered
    /// `before` and lists every wanted frontend.
    private func waitForWorker(replacing before: String?, serving backends: [TrafficBackend]) async -> Bool {
        let wanted = Set(backends.map(\.frontendName))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let info = await ask("show info"), !info.isEmpty,
               before == nil || Self.pidLine(info) != Self.pidLine(before ?? ""),
               let stat = await ask("show stat"),
               wanted.isSubset(of: Set(ServerStats.parse(stat).filter { $0.server == "FRONTEND" }.map(\.proxy))) {
                return true
            }
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return false }
        }
        return false
    }

    /// One runtime-API answer, nil while HAProxy does not answer (it is starting or reloading).
    private func ask(_ command: String) async -> String? {
        let runtime = self.runtime
        do {
            return try await Blocking.run { try runtime.send(command) }
        } catch {
            logger.trace("HAProxy: \(error)")
            return nil
        }
    }

    private static func pidLine(_ info: String) -> Substring? {
        info.split(separator: "\n").first { $0.hasPrefix("Pid:") }
    }

    /// How the supervisor runs HAProxy: master-worker in the foreground (`-W -db`), its
    /// own session, restarted if it exits, SIGKILL 5 s after SIGTERM.
    private func processSpec(binary: String) -> ReplicaSpec {
        ReplicaSpec(
            arguments: [binary, "-W", "-db", "-f", configFile.path],
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], workingDirectory: directory.path, port: 0,
            health: .none, restart: .always, gracePeriod: .seconds(5),
            logFile: directory.appendingPathComponent("haproxy.log"), inheritsEnvironment: false)
    }

    /// Takes over the HAProxy an earlier controller started, if it still runs.
    private func adopt() async {
        guard let data = FileManager.default.contents(atPath: recordFile.path) else { return }
        let record: Record
        do {
            record = try JSONDecoder().decode(Record.self, from: data)
        } catch {
            logger.warning("cannot read \(recordFile.path) (\(error)); a new HAProxy is started if one is needed")
            return
        }
        guard let binary = Self.haproxyBinary() else { return }
        let spec = processSpec(binary: binary)
        if await runner.adopt(Self.processID, spec: spec, identity: record.identity) != nil {
            running = record
            logger.info("adopted HAProxy (pid \(record.identity.pid))")
        }
    }

    private func stop() async {
        await runner.stop(Self.processID)
        running = nil
        if FileManager.default.fileExists(atPath: recordFile.path) {
            do {
                try FileManager.default.removeItem(at: recordFile)
            } catch {
                logger.error("cannot remove \(recordFile.path): \(error); a restarted controller finds no HAProxy to adopt there and starts one if needed")
            }
        }
    }

    private func save(_ record: Record) {
        do {
            try StableJSON.encode(record).write(to: recordFile, options: .atomic)
        } catch {
            logger.error("cannot record HAProxy's identity in \(recordFile.path): \(error); a restarted controller will start a new HAProxy")
        }
    }

    /// The HAProxy identity recorded under `stateDirectory`, for `mooring down` (nil when
    /// there is none or it cannot be read: then there is nothing it may safely signal).
    static func recordedIdentity(stateDirectory: URL) -> ProcessIdentity? {
        let file = stateDirectory.appendingPathComponent("traffic/haproxy.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        do {
            return try JSONDecoder().decode(Record.self, from: data).identity
        } catch {
            return nil
        }
    }

    static func haproxyBinary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"] {
            let candidate = directory + "/haproxy"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a short command (the configuration check) off the cooperative pool.
    static func run(_ executable: String, _ arguments: [String]) async -> (status: Int32, output: String) {
        await Blocking.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            do {
                try process.run()
            } catch {
                return (-1, "cannot run \(executable): \(error)")
            }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }
}
