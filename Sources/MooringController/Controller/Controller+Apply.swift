import Foundation
import MooringGit
import MooringManifests
import MooringStatus
import MooringStore
import MooringSupervisor

extension Controller {
    /// Runs each input through its deployment's machine and records the transitions
    /// (``record(_:inputs:)``): in the inbox drain's one transaction, or at once outside a
    /// drain. Actions are carried out only once the write succeeded; if it fails, the
    /// machines keep their previous state and the inputs are sent again after a backoff:
    /// a transition is never acted on unrecorded.
    func apply(_ inputs: [(String, DeploymentInput)]) async {
        let at = now()
        var transitions: [Transition] = []
        var pending: [String: DeploymentMachine] = [:]
        for (name, input) in inputs {
            guard let before = pending[name] ?? machines[name] else {
                if case let .desired(target) = input {
                    var machine = DeploymentMachine(name: name, desired: target)
                    let actions = machine.handle(.tick, now: at)
                    transitions.append(Transition(name: name, before: nil, after: machine, actions: actions))
                    pending[name] = machine
                }
                continue
            }
            var after = before
            let actions = after.handle(input, now: at)
            let transition = Transition(name: name, before: before, after: after, actions: actions)
            if transition.changesState || !actions.isEmpty {
                transitions.append(transition)
            }
            pending[name] = after
        }
        guard !transitions.isEmpty else { return }
        await record(transitions, inputs: inputs)
    }

    func write(_ transitions: [Transition]) async -> Bool {
        let written = transitions.filter(\.changesState)
        guard !written.isEmpty else { return true }
        let layout = context.layout
        // A deployment's row is written once per transaction, at its last transition (and at
        // one that creates it, as replica rows refer to it): the status summary and the JSON
        // of specs and rollout are the costly part of a transition.
        var lastIndex: [String: Int] = [:]
        for (index, transition) in written.enumerated() { lastIndex[transition.name] = index }
        let last = lastIndex
        do {
            try await context.store.write { tx in
                for (index, transition) in written.enumerated() {
                    try tx.record(transition, layout: layout, writingRow: last[transition.name] == index || transition.before == nil)
                }
            }
            context.storeWritten()
            return true
        } catch {
            storeFailures += 1
            let names = Set(written.map(\.name)).sorted().joined(separator: ", ")
            context.storeFailed("cannot record the state of \(names) in \(layout.database.path): \(error); nothing was changed on the host — check free disk space and the file's permissions; retrying in \(Int(retryDelay.seconds))s")
            return false
        }
    }

    /// Transient: 1 s doubling to 30 s while the store refuses writes.
    var retryDelay: Duration { .seconds(min(30, 1 << min(storeFailures, 5))) }

    func retryLater(_ inputs: [(String, DeploymentInput)]) {
        let delay = retryDelay
        let clock = self.clock
        let continuation = inboxContinuation
        workContinuation.yield {
            do { try await clock.sleep(for: delay) } catch { return }
            for (name, input) in inputs { continuation.yield(.input(name, input)) }
        }
    }

    /// A Git observation: every deployment Git defines gets its desired spec, every one it
    /// no longer defines is removed — in the planner's order (removals first).
    func apply(_ observation: GitObservation) async {
        switch observation {
        case let .valid(commit, set, treeChanged):
            if !unclaimed.isEmpty { await claim(set, at: commit.id.hex) }
            var inputs: [(String, DeploymentInput)] = []
            let specs = Dictionary(uniqueKeysWithValues: set.deployments.map { ($0.name, $0) })
            if treeChanged {
                planCount += 1
                let observed = machines.values.map {
                    ObservedDeployment(name: $0.name, applied: $0.applied?.spec,
                                       quarantinedSpecHash: $0.quarantine?.specHash, quarantineReason: $0.quarantine?.reason)
                }
                let plan = Planner.plan(desired: set.deployments, observed: observed)
                context.logger.debug("planned \(plan.count) steps at \(commit.id.short)")
                for step in plan where unreadable[step.name] == nil {
                    if let spec = specs[step.name] {
                        inputs.append((step.name, .desired(Target(spec: spec, revision: commit.id.hex))))
                    } else if machines[step.name] != nil {
                        inputs.append((step.name, .removed(revision: commit.id.hex)))
                    }
                }
            } else {
                // Same manifests at a new commit: only the desired revision moves.
                for name in machines.keys.sorted() {
                    if let spec = specs[name] { inputs.append((name, .desired(Target(spec: spec, revision: commit.id.hex)))) }
                }
            }
            await apply(inputs)
        case let .rejected(commit, set):
            let first = set.diagnostics.first { $0.severity == .error }
            let resolved = Dictionary(uniqueKeysWithValues: set.deployments.map { ($0.name, $0) })
            var inputs: [(String, DeploymentInput)] = []
            for machine in machines.values {
                // Unaffected when the rejected commit resolves it to the very spec Git wants now.
                if let spec = resolved[machine.name], spec.specHash == machine.desired.hash {
                    if machine.rejection != nil { inputs.append((machine.name, .rejected(nil))) }
                    continue
                }
                let file = set.origins[machine.name]?.file
                let diagnostic = set.diagnostics.first { $0.severity == .error && $0.position.file == file } ?? first
                let message = "commit \(commit.id.short) rejected: \(diagnostic?.description ?? "invalid manifests")"
                if machine.rejection != message { inputs.append((machine.name, .rejected(message))) }
            }
            await apply(inputs)
        }
    }

    /// A supervisor report about a replica.
    func handle(_ event: ReplicaEvent) async {
        let id = event.id
        if id == DataPlane.processID {
            await dataPlane.observe(event.snapshot)
            return
        }
        guard let machine = machines[id.deployment] else { return }
        let key = ReplicaKey(generation: id.generation, index: id.replica)
        guard machine.replicas[key] != nil else { return }
        switch event.reason {
        case "Exited", "CrashLoop", "Unready", "StartupTimeout", "Failed":
            await context.event(.warning, EventReason(rawValue: event.reason) ?? .replicaExited,
                                "replica \(id.replica): \(event.message)", deployment: id.deployment)
        case "BackOff":
            await context.event(.normal, .replicaBackOff, "replica \(id.replica): \(event.message)", deployment: id.deployment)
        case "Stopped", "Stopping", "Gone":
            // A stop's own completion reports the first two; recovery reports a failed
            // adoption itself (a late "Gone" must not hit the replica started in its place).
            return
        default:
            break
        }
        let snapshot = event.snapshot
        let observation = ReplicaObservation(
            phase: ReplicaPhase(snapshot.state), identity: snapshot.identity, restarts: snapshot.restarts,
            lastExit: snapshot.lastExit, readySince: snapshot.readySince, message: snapshot.message)
        await apply([(id.deployment, .observed(key, observation))])
    }

    /// Reads the request queue (`mooring sync --retry`, `suspend`, `resume`) and feeds
    /// each request to its machine; a request for an unknown deployment is answered so.
    /// Registers sync request `id` (made at `madeAt`) to be answered after the first poll
    /// that started after it was made. The fetch it asked for runs beside the request queue
    /// and has often started by the time the request is read here: that poll counts, else
    /// the answer would wait for the next timer poll and report only what that one found.
    /// A request read again (a second wake while it waits) keeps its place.
    func awaitPoll(_ id: Int64, madeAt: Date) {
        guard !syncsAwaitingPoll.contains(where: { $0.id == id }) else { return }
        let startedSince = lastPollStartedAt.map { madeAt <= $0 } ?? false
        syncsAwaitingPoll.append((id, startedSince ? pollsStarted - 1 : pollsStarted))
    }

    func consumeRequests() async {
        let open: [IntentRecord]
        do {
            open = try await context.store.read { try $0.openIntents() }
        } catch {
            context.logger.error("cannot read the request queue in \(context.layout.database.path): \(error); requests are read again at the next sync")
            return
        }
        guard !open.isEmpty else { return }
        var inputs: [(String, DeploymentInput)] = []
        var outcomes: [(Int64, String)] = []
        for request in open {
            guard let id = request.id else { continue }
            guard let name = request.deployment else {
                // Answered once a poll that started after it has been applied.
                awaitPoll(id, madeAt: request.createdAt)
                continue
            }
            guard let machine = machines[name] else {
                outcomes.append((id, "error: no deployment named \(name); `mooring status` lists them"))
                continue
            }
            switch request.action {
            case .retry:
                inputs.append((name, .retry))
                outcomes.append((id, machine.quarantine.map { "lifted the quarantine of \(name)'s spec \($0.specHash.prefix(12)); rolling it out again" }
                                    ?? "\(name) has no quarantined spec; nothing to retry"))
            case .suspend:
                inputs.append((name, .suspend(true)))
                outcomes.append((id, machine.userSuspended ? "\(name) was already suspended" : "suspended \(name): it keeps running as it is and ignores Git until `mooring resume \(name)`"))
            case .resume:
                inputs.append((name, .suspend(false)))
                outcomes.append((id, machine.userSuspended ? "resumed \(name): it follows Git again" : "\(name) was not suspended"))
            case .sync:
                awaitPoll(id, madeAt: request.createdAt)
            case .startReplica, .stopReplica:
                outcomes.append((id, "done"))
            }
        }
        await apply(inputs)
        let completed = outcomes
        await context.persist("the request outcomes") { tx in
            for (id, outcome) in completed { try tx.completeIntent(id, outcome: outcome) }
        }
    }
}

extension ReplicaPhase {
    /// The controller's word for a supervisor state.
    init(_ state: ReplicaState) {
        switch state {
        case .starting: self = .starting
        case .running: self = .running
        case .ready: self = .ready
        case .stopping: self = .stopping
        case .exited: self = .exited
        case .backoff: self = .backoff
        case .crashLoop: self = .crashLoop
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
