import Foundation
import Synchronization
import Logging

/// Runs model-serving processes: spawns them in their own session and process group,
/// watches their exits (pidfd), probes their health, restarts them with backoff, stops
/// them gracefully, and adopts the ones a previous supervisor started.
///
/// Processes outlive the supervisor: `release(_:)` and `shutdown()` stop watching without
/// stopping them, and a new supervisor picks them up with `adopt(_:spec:identity:)`.
/// Every change is published on `events`.
public actor Supervisor {
    /// One supervised replica.
    struct Replica {
        var snapshot: ReplicaSnapshot
        var handle: ProcessHandle?
        var task: ReplicaTask?
        var stopTask: ReplicaTask?
        var tracker = RestartTracker()
        /// Clock offsets of the current process's start and first readiness.
        var startedAtClock: Duration
        var readyAtClock: Duration?
        var stopping = false
    }

    var replicas: [ReplicaID: Replica] = [:]
    var allocatedPorts: Set<Int> = []
    let portRange: ClosedRange<Int>
    var portCursor: Int
    let clock: ClockBox
    let logger: Logger
    /// What holds each replica's processes together, so a stop reaches all of them.
    nonisolated let containment: ProcessContainment
    /// What puts a timestamp on every line of a replica's log, if anything (``LogStamper``).
    nonisolated let logStamper: LogStamper?
    private let continuation: AsyncStream<ReplicaEvent>.Continuation
    /// Replica supervisions and stops, handed to the task group of ``run()``.
    private nonisolated let launches: AsyncStream<ReplicaTask>
    private nonisolated let launchContinuation: AsyncStream<ReplicaTask>.Continuation
    /// Whether ``run()`` owns the replica tasks.
    private nonisolated let hasRunLoop = Mutex(false)

    /// Every state change of every replica, in order. The controller consumes this; events
    /// are buffered until read. Finishes after `shutdown()`.
    public nonisolated let events: AsyncStream<ReplicaEvent>

    /// Creates a supervisor handing out ports from `portRange`, timing backoff, probes and
    /// deadlines with `clock` (inject a manual clock in tests), logging to `logger`.
    ///
    /// `containment` says how each replica's processes are held together so a stop
    /// reaches all of them; the controller passes ``ProcessContainment/detect(scope:subreaper:)``
    /// with its state directory. The default, the process group alone, misses a descendant
    /// that called `setsid()`.
    public init(
        portRange: ClosedRange<Int> = 20000...29999,
        clock: some Clock<Duration> = ContinuousClock(),
        logger: Logger,
        containment: ProcessContainment = .processGroup,
        logStamper: LogStamper? = nil
    ) {
        self.logStamper = logStamper
        self.portRange = portRange
        self.portCursor = Int.random(in: 0..<portRange.count)
        self.clock = ClockBox(clock)
        self.logger = logger
        self.containment = containment
        if let warning = containment.activate() {
            logger.warning("\(warning)")
        }
        logger.debug("replicas are held together by \(containment)")
        (events, continuation) = AsyncStream.makeStream(of: ReplicaEvent.self, bufferingPolicy: .unbounded)
        (launches, launchContinuation) = AsyncStream.makeStream(of: ReplicaTask.self, bufferingPolicy: .unbounded)
    }

    /// Runs every replica's supervision and stop as a child of one task group, until
    /// ``shutdown()``: the supervisor's service (`mooring run` runs it in its
    /// `ServiceGroup`). A supervisor used without it runs them as tasks of their own.
    public nonisolated func run() async {
        hasRunLoop.withLock { $0 = true }
        await withTaskGroup(of: Void.self) { group in
            for await task in launches {
                group.addTask { await task.run() }
            }
        }
    }

    /// Starts `operation` as a replica task: in ``run()``'s group when it runs.
    func launch(_ operation: @escaping @Sendable () async -> Void) -> ReplicaTask {
        let task = ReplicaTask(operation)
        if hasRunLoop.withLock({ $0 }) {
            launchContinuation.yield(task)
        } else {
            Task { await task.run() }
        }
        return task
    }

    /// The replica `id` as it is now; nil when it is not supervised.
    public func snapshot(_ id: ReplicaID) -> ReplicaSnapshot? {
        replicas[id]?.snapshot
    }

    /// Every supervised replica.
    public func snapshots() -> [ReplicaSnapshot] {
        replicas.values.map(\.snapshot).sorted { $0.id.description < $1.id.description }
    }

    /// Forgets `id` WITHOUT stopping its process (it keeps running; a later supervisor can
    /// adopt it). Its port is no longer counted as handed out.
    public func release(_ id: ReplicaID) {
        guard let replica = replicas.removeValue(forKey: id) else { return }
        replica.task?.cancel()
        replica.handle?.close()
        allocatedPorts.subtract(replica.snapshot.spec.allPorts)
        logger.debug("released replica", metadata: ["replica": "\(id)"])
    }

    /// Stops watching and probing everything and finishes `events`; every process keeps
    /// running (the control plane going away never takes the models down).
    public func shutdown() async {
        let tasks = replicas.values.compactMap(\.task)
        for id in Array(replicas.keys) { release(id) }
        for task in tasks { await task.value }
        continuation.finish()
        launchContinuation.finish()
    }

    /// Publishes the replica's current snapshot with `reason` and logs it.
    func emit(_ id: ReplicaID, _ reason: String, _ message: String, snapshot: ReplicaSnapshot? = nil) {
        guard let snapshot = snapshot ?? replicas[id]?.snapshot else { return }
        let level: Logger.Level = ["Ready", "Started", "Adopted", "Stopping"].contains(reason) ? .debug : .info
        logger.log(level: level, "\(reason): \(message)", metadata: ["replica": "\(id)"])
        continuation.yield(ReplicaEvent(id: id, snapshot: snapshot, reason: reason, message: message))
    }

    /// Changes the stored replica with `body`, if it is still supervised.
    func update(_ id: ReplicaID, _ body: (inout Replica) -> Void) {
        guard var replica = replicas[id] else { return }
        body(&replica)
        replicas[id] = replica
    }
}
