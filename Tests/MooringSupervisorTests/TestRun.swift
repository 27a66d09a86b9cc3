import Foundation
import Synchronization
import Logging
import MooringSupervisor
import MooringTesting
import Testing

/// Everything one test needs: a temp dir, a supervisor, the events it published, and a
/// marker put in every child's environment so `cleanUp()` can find and check every
/// process the test started — including grandchildren and adopted processes.
final class TestRun: @unchecked Sendable {
    let directory: TemporaryDirectory
    let supervisor: Supervisor
    let marker = "MOORING_TEST_MARKER=\(UUID().uuidString)"
    let events = EventLog()
    private let lock = NSLock()
    private var seen: Set<ProcessIdentity> = []
    private var consumer: Task<Void, Never>?

    /// Supervisors in one process do not coordinate ports (each controller owns its range),
    /// so every test run gets 40 ports of its own in 20000–25999.
    static func nextPortSlice() -> ClosedRange<Int> {
        let slice = sliceCounter.withLock { value -> Int in
            defer { value += 1 }
            return value
        }
        let base = 20000 + (slice % 150) * 40
        return base...(base + 39)
    }
    private static let sliceCounter = Mutex(0)

    /// The supervisor's `run()`, which owns every replica task; it ends at shutdown.
    var runLoop: Task<Void, Never>?

    init(portRange: ClosedRange<Int> = TestRun.nextPortSlice(), clock: some Clock<Duration> = ContinuousClock(),
         containment: ProcessContainment = .processGroup) throws {
        directory = try TemporaryDirectory(prefix: "mooring-sup")
        var logger = Logger(label: "mooring.supervisor.test")
        logger.logLevel = .warning
        supervisor = Supervisor(portRange: portRange, clock: clock, logger: logger, containment: containment)
        // As in `mooring run`: the supervisor's replica tasks are children of its run loop.
        let supervisor = self.supervisor
        runLoop = Task { await supervisor.run() }
        let stream = supervisor.events
        let events = self.events
        consumer = Task { [weak self] in
            for await event in stream {
                events.append(event)
                // A Gone identity was never ours (that is the point): do not wait for it.
                if event.reason != "Gone", let identity = event.snapshot.identity { self?.remember(identity) }
            }
        }
    }

    /// Records a process this test is responsible for.
    func remember(_ identity: ProcessIdentity) {
        lock.lock(); defer { lock.unlock() }
        seen.insert(identity)
    }

    /// Every process this test is responsible for.
    func remembered() -> Set<ProcessIdentity> {
        lock.lock(); defer { lock.unlock() }
        return seen
    }

    /// A spec running `arguments` with the marker in its environment and its log in the temp dir.
    func spec(_ arguments: [String], port: Int = 0, health: HealthCheck = .none,
              probe: ProbePolicy = TestRun.fastProbe, restart: RestartPolicy = .never,
              backoff: BackoffPolicy = TestRun.fastBackoff, grace: Duration = .seconds(5),
              environment: [String: String] = [:], log: String = "replica.log") -> ReplicaSpec {
        let (key, value) = splitMarker()
        return ReplicaSpec(
            arguments: arguments, environment: environment.merging([key: value]) { $1 },
            workingDirectory: directory.path, port: port, health: health, probe: probe,
            restart: restart, backoff: backoff, gracePeriod: grace,
            logFile: directory.appending("logs/\(log)"))
    }

    func splitMarker() -> (String, String) {
        let parts = marker.split(separator: "=", maxSplits: 1).map(String.init)
        return (parts[0], parts[1])
    }

    static let fastProbe = ProbePolicy(startupTimeout: .seconds(60), period: .milliseconds(200),
                                       startupPeriod: .milliseconds(100), timeout: .seconds(2),
                                       failureThreshold: 2, successThreshold: 1)
    static let fastBackoff = BackoffPolicy(initial: .milliseconds(100), max: .milliseconds(400),
                                           resetAfter: .seconds(600), crashLoopThreshold: 5)

    /// Writes the health server fixture and returns its path.
    /// The health server script, written once: rewriting it while a server started earlier
    /// is still reading it would hand that server an empty file (it would exit at once).
    func healthServerScript() throws -> String {
        let url = directory.appending("server.py")
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        return try directory.write("server.py", Fixtures.healthServer).path
    }

    /// Stops every replica, kills whatever still carries the marker, and records an issue
    /// for any process of this test that is still alive or left as a zombie.
    func cleanUp(sourceLocation: SourceLocation = #_sourceLocation) async {
        await supervisor.stop(await supervisor.snapshots().map(\.id))
        await supervisor.shutdown()
        await runLoop?.value
        await consumer?.value
        // Give processes that were just killed a moment to finish exiting before blaming them.
        _ = await waitUntil(timeout: .seconds(10)) { ProcessScan.processes(withEnvironment: marker).isEmpty }
        let leftovers = ProcessScan.processes(withEnvironment: marker)
        for pid in leftovers { kill(-pid, SIGKILL); kill(pid, SIGKILL) }
        #expect(leftovers.isEmpty, "processes left running by the test: \(leftovers)", sourceLocation: sourceLocation)

        let identities = remembered()
        // Children are reaped by the supervisor at once; orphaned grandchildren by init, later.
        let clean = await waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) {
            identities.allSatisfy { !ProcessScan.exists($0) }
                && ProcessScan.processes(withEnvironment: marker).isEmpty
        }
        let remaining = identities.filter { ProcessScan.exists($0) }
        #expect(clean, "processes (or zombies) left behind: \(remaining)", sourceLocation: sourceLocation)
        directory.remove()
    }
}

/// Runs `body` with a fresh `TestRun` and always cleans up, whether `body` throws or not.
func withTestRun(
    portRange: ClosedRange<Int> = TestRun.nextPortSlice(),
    clock: some Clock<Duration> = ContinuousClock(),
    containment: ProcessContainment = .processGroup,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (TestRun) async throws -> Void
) async throws {
    let run = try TestRun(portRange: portRange, clock: clock, containment: containment)
    do {
        try await body(run)
    } catch {
        await run.cleanUp(sourceLocation: sourceLocation)
        throw error
    }
    await run.cleanUp(sourceLocation: sourceLocation)
}

/// The events a supervisor published, for tests to wait on.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ReplicaEvent] = []

    func append(_ event: ReplicaEvent) {
        lock.lock(); defer { lock.unlock() }
        events.append(event)
    }

    var all: [ReplicaEvent] {
        lock.lock(); defer { lock.unlock() }
        return events
    }

    func reasons(for id: ReplicaID) -> [String] {
        all.filter { $0.id == id }.map(\.reason)
    }

    /// Waits (generously) for the first event with `reason` for `id`.
    func first(_ reason: String, for id: ReplicaID, timeout: Duration = .seconds(60)) async -> ReplicaEvent? {
        var found: ReplicaEvent?
        _ = await waitUntil(timeout: timeout) {
            found = all.first { $0.id == id && $0.reason == reason }
            return found != nil
        }
        return found
    }
}

/// Looks at /proc.
enum ProcessScan {
    /// Whether the process with this identity still exists (alive or zombie).
    static func exists(_ identity: ProcessIdentity) -> Bool {
        ProcessIdentity.current(pid: identity.pid)?.startTime == identity.startTime
    }

    /// Whether the process is alive and not a zombie.
    static func isRunning(_ identity: ProcessIdentity) -> Bool {
        guard exists(identity),
              let stat = try? String(contentsOfFile: "/proc/\(identity.pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// How many live (non-zombie) processes each process group has.
    static func liveGroupSizes() -> [Int32: Int] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        var sizes: [Int32: Int] = [:]
        for pid in names.compactMap(Int32.init) {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", fields[0] != "X", let group = Int32(fields[2]) else { continue }
            sizes[group, default: 0] += 1
        }
        return sizes
    }

    /// Pids of processes whose environment holds `entry` (`KEY=value`).
    static func processes(withEnvironment entry: String) -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let needle = Data(entry.utf8)
        return names.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return data.split(separator: 0).contains { Data($0) == needle }
        }
    }
}
