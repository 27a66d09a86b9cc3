import Foundation
import Logging
import MooringArtifacts
import MooringGit
import MooringManifests
import MooringStatus
import MooringStore
import MooringSupervisor
import ServiceLifecycle
import UnixSignals

/// The reconciler: keeps the host equal to the tracked Git ref. A `Service`: run it in a
/// `ServiceGroup` (after the supervisor's service) with SIGTERM/SIGINT as graceful
/// shutdown; model processes keep running when it stops, and the next controller adopts them.
///
/// One loop owns every deployment's ``DeploymentMachine`` and is the only writer of
/// deployment and replica records. Everything else — the source poller, the supervisor's
/// reports, finished starts and stops, timers, operator requests — sends it messages.
/// For each message the loop runs the machine's pure transition; the transitions of all
/// messages that arrived together (one inbox drain) are written in one transaction (status
/// summarized from facts, "summarize and patch"), and only then are the actions carried
/// out; their outcomes come back as messages.
public actor Controller: Service {
    /// Where the controller is in its life.
    enum State: Equatable { case initial, recovering, running, stopping, stopped }

    /// What the loop consumes, one at a time.
    enum Message: Sendable {
        case input(String, DeploymentInput)
        case replica(ReplicaEvent)
        case git(GitObservation)
        /// A poll finished (whatever it found): answers the `mooring sync` requests that
        /// were waiting for a poll started after them.
        case polled(number: Int, source: SourceRecord?)
        case startDone(String, ReplicaKey, StartOutcome)
        case stopDone(String, ReplicaKey)
        case requests
        /// The state file no longer is the one opened (checked after every poll).
        case storeMoved
    }

    enum StartOutcome: Sendable {
        case started(port: Int, ports: [String: Int], identity: ProcessIdentity, at: Date)
        case failed(String, waiting: Bool)
    }

    let context: ControllerContext
    let poller: SourcePoller
    /// HAProxy for the deployments with a stable endpoint (docs/traffic.md).
    let dataPlane: DataPlane
    var state: State = .initial
    var machines: [String: DeploymentMachine] = [:]
    /// Stored deployments that cannot be read back: left alone, reported.
    var unreadable: [String: String] = [:]
    var scheduledWakes: [String: Date] = [:]
    /// Why an artifact collection is queued on the work stream and has not started yet;
    /// nil when none is. Rollouts that finish meanwhile join it (1,000 deployments
    /// becoming healthy queue one collection, not 1,000 scans of every deployment).
    var queuedArtifactCollection: String?
    var startsInFlight: Set<ReplicaID> = []
    var stopsInFlight: Set<ReplicaID> = []
    var stopWhenStarted: Set<ReplicaID> = []
    /// Inputs whose transition could not be written, retried with backoff.
    var storeFailures = 0
    /// The state file as it was opened (device, inode): if the path stops naming it, the
    /// state directory was removed or replaced under the controller.
    let storeFile: FileIdentity?
    /// The state file's path, computed once (every message checks it still names `storeFile`).
    let storePath: String
    /// Set when the controller stopped reconciling because a person must act.
    var stalled: String?
    /// Model processes of deployments the store does not know (a lost store), waiting
    /// for the first valid commit to be adopted or stopped.
    var unclaimed: [OrphanScanner.Found] = []
    /// What the last applied Git observation changed, for the `mooring sync` answers.
    var lastChanges: SyncChanges?
    /// How many polls have started; `mooring sync` requests wait for the next one.
    var pollsStarted = 0
    /// The source row as read after the poller's store write number `writes`.
    var lastSourceRead: (writes: Int, record: SourceRecord)?
    /// When poll number `pollsStarted` started (wall clock, as intents' `createdAt`).
    var lastPollStartedAt: Date?
    /// `mooring sync` requests (store ids) waiting for a poll numbered above this.
    var syncsAwaitingPoll: [(id: Int64, afterPoll: Int)] = []
    /// Transitions of the inbox drain being handled, written when it ends (`Controller+Drain.swift`).
    var pendingWrite: PendingWrite?

    let inbox: AsyncStream<Message>
    let inboxContinuation: AsyncStream<Message>.Continuation
    let work: AsyncStream<@Sendable () async -> Void>
    let workContinuation: AsyncStream<@Sendable () async -> Void>.Continuation
    /// Poll requests: `true` when asked for (SIGHUP, `mooring sync`), `false` from the timer.
    let pollRequests: AsyncStream<Bool>
    let pollContinuation: AsyncStream<Bool>.Continuation
    /// One element after each inbox drain that changed a machine: wakes the idle data-plane
    /// loop (``trafficLoop()``).
    let trafficWakes: AsyncStream<Void>
    let trafficWakeContinuation: AsyncStream<Void>.Continuation
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date

    /// How many times a plan was made (observable by tests; an unchanged poll makes none).
    public internal(set) var planCount = 0

    /// Opens the store and the Git source. Takes no lock: the caller holds the
    /// ``StateLock`` for as long as the controller runs.
    public init(configuration: ControllerConfiguration, runner: any ReplicaRunner, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() }) throws {
        let layout = StateLayout(root: configuration.stateDirectory)
        let store: StateStore
        do {
            store = try StateStore(path: layout.database)
        } catch {
            throw ControllerError(.store, "cannot open the state store at \(layout.database.path): \(error)")
        }
        let source: GitSource
        do {
            source = try configuration.openSource(logger: logger)
        } catch {
            throw ControllerError(.source, "cannot open the repository \(configuration.displayRepository): \(error)")
        }
        let healthFile = StoreHealthFile(layout: layout)
        do {
            try healthFile.prepare()
        } catch {
            throw ControllerError(.stateDirectory, "cannot create \(healthFile.url.path): \(error); check free disk space and the state directory's permissions")
        }
        let context = ControllerContext(
            configuration: configuration, layout: layout, store: store, runner: runner,
            source: source, renderer: ReplicaRenderer(layout: layout, hostVariables: configuration.hostVariables), logger: logger,
            storeHealth: StoreHealth(file: healthFile),
            artifacts: ArtifactFetcher(cache: ArtifactCache(root: layout.artifacts), settings: configuration.artifacts),
            preparations: Preparations())
        self.context = context
        self.storePath = layout.database.path
        self.storeFile = FileIdentity(path: storePath)
        self.poller = SourcePoller(context: context, lastError: nil)
        self.dataPlane = DataPlane(stateDirectory: layout.root, runner: runner, logger: logger)
        self.clock = clock
        self.now = now
        (inbox, inboxContinuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
        (work, workContinuation) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self, bufferingPolicy: .unbounded)
        (pollRequests, pollContinuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(1))
        (trafficWakes, trafficWakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a fetch and reconcile now, and for the request queue to be read (SIGHUP,
    /// `mooring sync`). A burst of requests coalesces into one fetch.
    public nonisolated func requestSync() {
        pollContinuation.yield(true)
        inboxContinuation.yield(.requests)
    }

    /// Runs until graceful shutdown (or cancellation): recovers, then reconciles.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.runLoop()
        } onGracefulShutdown: {
            self.inboxContinuation.finish()
        }
    }

    private func runLoop() async throws {
        guard state == .initial else { return }
        state = .recovering
        await recordStart()
        guard try await recover() else {
            state = .stopped
            return
        }
        // We just awaited: a shutdown may have begun while recovery ran.
        guard state == .recovering else { return }
        state = .running
        ControllerMetrics.snapshot(machines)
        let runner = context.runner
        let interval = context.configuration.interval
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [inboxContinuation] in
                for await event in runner.events { inboxContinuation.yield(.replica(event)) }
            }
            group.addTask { [work] in
                await withTaskGroup(of: Void.self) { workers in
                    for await item in work { workers.addTask { await item() } }
                }
            }
            group.addTask { [pollContinuation] in
                // The poll timer: a request every interval (the poller coalesces).
                while !Task.isCancelled {
                    do { try await clock.sleep(for: interval) } catch { return }
                    pollContinuation.yield(false)
                }
            }
            group.addTask { [pollRequests, inboxContinuation, storeFile, database = storePath] in
                for await forced in pollRequests {
                    let (number, observation, source) = await self.measuredPoll(forced: forced)
                    if let observation { inboxContinuation.yield(.git(observation)) }
                    inboxContinuation.yield(.polled(number: number, source: source))
                    if let storeFile, FileIdentity(path: database) != storeFile { inboxContinuation.yield(.storeMoved) }
                }
            }
            group.addTask { [weak self] in await self?.trafficLoop() }
            group.addTask { [weak self] in
                for await _ in await UnixSignalsSequence(trapping: .sighup) { self?.requestSync() }
            }
            group.addTask { [context, clock, weak self] in
                // Housekeeping: history retention hourly; the WAL checkpointed and the
                // artifact cache collected every 5 minutes.
                var tick = 0
                while !Task.isCancelled {
                    if tick % 12 == 0 { await Self.pruneHistory(context) }
                    await Self.checkpoint(context)
                    await self?.collectArtifacts("periodic check")
                    tick += 1
                    do { try await clock.sleep(for: .seconds(300)) } catch { return }
                }
            }
            // Messages are handled in drains: all that arrived while the loop was busy, their
            // transitions written in one transaction (``process(drain:)``).
            let drain = InboxDrain<Message>()
            group.addTask { [inbox] in await drain.pump(inbox) }
            pollContinuation.yield(true)
            // Requests queued before SIGHUP was trapped (a `mooring sync` during start-up).
            inboxContinuation.yield(.requests)
            for await _ in drain.wakes {
                await process(drain: drain.take())
            }
            state = .stopping
            group.cancelAll()
        }
        pollContinuation.finish()
        workContinuation.finish()
        trafficWakeContinuation.finish()
        await Self.recordStop(context)
        state = .stopped
    }

    /// Records that the controller stopped — the store no longer names its pid, and a
    /// `ControllerStopped` event — even when its run was cancelled (a `ServiceGroup` cancels
    /// every service when one fails): a cancelled task's store writes fail, so these run in
    /// a task of their own, which does not inherit the cancellation.
    private static func recordStop(_ context: ControllerContext) async {
        let writes = Task {
            await context.persist("the controller's stop") { tx in
                _ = try tx.updateSource { s in
                    s.controllerPid = nil
                    s.nextFetchAt = nil
                }
            }
            await context.event(.normal, .controllerStopped, "controller stopped; model processes keep running")
        }
        await writes.value
    }

    /// Handles one message; the only place machines change.
    func process(_ message: Message) async {
        guard stalled == nil else { return }
        if let storeFile, FileIdentity(path: storePath) != storeFile {
            let reason = "the state store \(storePath) was removed or replaced under the running controller; it stops reconciling (model processes keep running) — stop this controller, then restore the state directory or start a new controller on it"
            stalled = reason
            context.logger.critical("\(reason)")
            await context.event(.warning, .storeFailed, reason)
            return
        }
        switch message {
        case let .input(name, input):
            await apply([(name, input)])
        case let .replica(event):
            await handle(event)
        case let .git(observation):
            let before = SyncChanges.Snapshot(machines)
            await measuredApply(observation)
            lastChanges = SyncChanges(before: before, after: SyncChanges.Snapshot(machines))
        case let .polled(number, source):
            await answerSyncs(afterPoll: number, source: source)
        case let .startDone(name, key, outcome):
            let id = replicaID(name, key)
            startsInFlight.remove(id)
            if stopWhenStarted.remove(id) != nil { schedule(.stop(key, why: "stopped before its start finished"), for: name) }
            switch outcome {
            case let .started(port, ports, identity, at):
                await apply([(name, .started(key, port: port, ports: ports, identity: identity, at: at))])
            case let .failed(reason, waiting):
                await apply([(name, .startFailed(key, reason: reason, waiting: waiting))])
            }
        case let .stopDone(name, key):
            stopsInFlight.remove(replicaID(name, key))
            await apply([(name, .stopped(key))])
        case .requests:
            await consumeRequests()
        case .storeMoved:
            break // handled by the check above
        }
    }

    private func recordStart() async {
        let configuration = context.configuration
        let branch: String
        switch configuration.reference {
        case .defaultBranch: branch = "(default branch)"
        case let .branch(name): branch = name
        case let .tag(name): branch = "tag \(name)"
        case let .commit(sha): branch = "commit \(sha)"
        }
        let pid = getpid()
        let repo = configuration.displayRepository
        let path = configuration.manifestsPath
        await context.persist("the controller's start") { tx in
            var source = try tx.source() ?? SourceRecord(repo: repo, branch: branch, path: path)
            source.repo = repo
            source.branch = branch
            source.path = path
            source.controllerPid = pid
            source.controllerStartedAt = tx.now
            _ = try tx.putSource(source)
            try tx.appendEvent(.normal, reason: EventReason.controllerStarted.rawValue,
                               message: "controller \(pid) started on \(repo) (\(branch), path \(path))")
        }
    }

    static func pruneHistory(_ context: ControllerContext) async {
        let retention = context.configuration.retention
        let cutoff = Date().addingTimeInterval(-retention.eventsMaxAge.seconds)
        let pruned = await context.persist("the pruning of old history") { tx in
            (try tx.pruneHistory(before: cutoff, includingRollouts: false), try tx.pruneRollouts(keepingPerDeployment: retention.rolloutsPerDeployment))
        }
        if let (old, rollouts) = pruned, old.events + old.intents + rollouts > 0 {
            context.logger.debug("pruned \(old.events) events, \(old.intents) answered requests and \(rollouts) rollouts past retention")
        }
    }

    static func checkpoint(_ context: ControllerContext) async {
        let store = context.store
        do {
            try await Blocking.run { try store.checkpoint() }
        } catch {
            context.logger.debug("WAL checkpoint skipped: \(error)")
        }
    }

    func replicaID(_ name: String, _ key: ReplicaKey) -> ReplicaID {
        ReplicaID(deployment: name, replica: key.index, generation: key.generation)
    }
}

/// A file's device and inode, to tell whether a path still names the file opened.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
