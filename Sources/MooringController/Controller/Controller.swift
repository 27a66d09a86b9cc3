import Foundation
import Logging
import MooringGit
import MooringManifests
import MooringStore
import MooringSupervisor

/// The reconciler: keeps the host equal to the tracked Git ref.
///
/// Each cycle is observe → diff → act → report:
/// 1. **observe** the source (fetch, resolve the ref, read the manifests tree id);
/// 2. **validate** the commit whole when the tree changed (a rejected commit changes nothing);
/// 3. **diff** desired against observed with the ``Planner``;
/// 4. **act**: rollouts run as independent tasks, one per deployment;
/// 5. **report**: source, revision, deployment and event records in the store.
///
/// Model processes belong to the supervisor and outlive the controller; a new controller
/// adopts them (``recover()``).
public actor Controller {
    /// What wakes the loop.
    enum Trigger: Sendable { case interval, sync }

    let context: ControllerContext
    private let triggers: AsyncStream<Trigger>
    private let triggerContinuation: AsyncStream<Trigger>.Continuation

    /// Rollouts under way, by deployment.
    var rollouts: [String: Task<Void, Never>] = [:]
    /// The last commit seen and its manifests tree, so an unchanged tree costs one lookup.
    var lastCommit: ObjectID?
    var lastTree: ObjectID?
    var lastTreeValid = false
    /// The last valid revision's manifests, kept so a retry can plan without parsing.
    var lastValidSet: ManifestSet?
    var lastSourceError: String?
    var stopping = false
    /// Replicas in a crash loop, by `ReplicaID` description: sticky from the supervisor's
    /// `CrashLoop` until the replica is ready again, so health does not flicker between
    /// Degraded and Progressing at every restart of a crash-looping process.
    var crashLooping: Set<String> = []

    /// How many times the manifests were parsed and a plan made (observable by tests and
    /// `/metrics`; an unchanged poll increments neither).
    public internal(set) var parseCount = 0
    public internal(set) var planCount = 0

    /// Opens the store and the Git source. Takes no lock: the caller holds the
    /// ``StateLock`` for as long as the controller runs.
    public init(configuration: ControllerConfiguration, logger: Logger) throws {
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
        let supervisor = Supervisor(portRange: configuration.portRange, logger: logger)
        self.context = ControllerContext(
            configuration: configuration, layout: layout, store: store, supervisor: supervisor,
            source: source, renderer: ReplicaRenderer(layout: layout), logger: logger)
        (triggers, triggerContinuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a fetch and reconcile now (SIGHUP, `mooring sync`).
    public nonisolated func requestSync() {
        triggerContinuation.yield(.sync)
    }

    /// Asks the loop to end after the current step; model processes keep running.
    public nonisolated func requestShutdown() {
        triggerContinuation.finish()
    }

    /// Runs until ``requestShutdown()``: recovers, then reconciles on every trigger.
    public func run() async throws {
        try recordStart()
        await recover()
        let events = Task { [weak self] in
            guard let self else { return }
            for await event in self.context.supervisor.events {
                await self.handle(event)
            }
        }
        let interval = context.configuration.interval
        let continuation = triggerContinuation
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                continuation.yield(.interval)
            }
        }
        await reconcileOnce()
        for await trigger in triggers {
            context.logger.debug("reconcile triggered by \(trigger)")
            await reconcileOnce()
        }
        // Shutting down: leave model processes running for the next controller to adopt.
        stopping = true
        timer.cancel()
        for task in rollouts.values { task.cancel() }
        for task in rollouts.values { await task.value }
        await context.supervisor.shutdown()
        events.cancel()
        context.persist("the controller's stop") { try $0.updateSource { s in
            s.controllerPid = nil
            s.nextFetchAt = nil
        } }
        context.event(.normal, "ControllerStopped", "controller stopped; model processes keep running")
    }

    private func recordStart() throws {
        let configuration = context.configuration
        let branch: String
        switch configuration.reference {
        case .defaultBranch: branch = "(default branch)"
        case let .branch(name): branch = name
        case let .tag(name): branch = "tag \(name)"
        case let .commit(sha): branch = "commit \(sha)"
        }
        try context.store.write { tx in
            var source = try tx.source() ?? SourceRecord(repo: configuration.displayRepository, branch: branch, path: configuration.manifestsPath)
            source.repo = configuration.displayRepository
            source.branch = branch
            source.path = configuration.manifestsPath
            source.controllerPid = getpid()
            source.controllerStartedAt = tx.now
            lastSourceError = source.lastError
            _ = try tx.putSource(source)
            try tx.appendEvent(.normal, reason: "ControllerStarted",
                               message: "controller \(getpid()) started on \(configuration.displayRepository) (\(branch), path \(configuration.manifestsPath))")
        }
    }
}
