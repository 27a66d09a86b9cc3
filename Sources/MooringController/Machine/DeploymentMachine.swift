import Foundation
import MooringManifests
import MooringStatus
import MooringSupervisor

/// One deployment's state and the only code that changes it.
///
/// Git changes, supervisor reports, finished starts and stops, timers and operator
/// requests are *inputs*; ``handle(_:now:)`` applies one, re-evaluates the deployment and
/// returns what to do. It does no I/O and reads no clock: the controller persists the new
/// state, then carries out the actions, and feeds their outcomes back as inputs. So every
/// interleaving of a commit, a slow stop and a crash is a sequence of inputs a test can
/// replay in microseconds, and a restarted controller resumes from the persisted state.
public struct DeploymentMachine: Sendable, Equatable {
    public var name: String
    /// What Git wants (the last valid commit's spec).
    public var desired: Target
    /// What serves: the last spec that passed its gate.
    public var applied: Target?
    /// The spec that served before `applied` with a different model (`spec.model.uri`):
    /// what a `git revert` of the model change returns to. The artifact cache's collector
    /// keeps its model, so that rollback finds it cached.
    public var previous: Target?
    /// The generation whose replicas serve `applied`.
    public var servingGeneration: String?
    /// The last rollout's spec hash and commit.
    public var attemptedHash: String?
    public var attemptedRevision: String?
    public var quarantine: Quarantine?
    public var rollout: RolloutState?
    public var replicas: [ReplicaKey: ReplicaSlot] = [:]
    public var nextGeneration: Int = 1
    /// Removed from Git: stopping everything, then the row goes.
    public var removing = false
    /// `mooring suspend`.
    public var userSuspended = false
    /// The tip commit was rejected and would have changed this deployment.
    public var rejection: String?
    /// The spec-hash version of `applied`'s and `quarantine`'s hashes.
    public var specHashVersion: Int = ResolvedDeployment.specHashVersion
    /// No replica is spawned before this time, after a failed start (not persisted).
    public var startBackoffUntil: Date?
    /// A superseded rollout whose replicas the next one keeps (within one transition).
    var carryOver: CarryOver?
    /// What keeps the stable endpoint from being served, as the data plane reported it
    /// (not persisted: the data plane reports it again).
    public var trafficProblem: String?

    struct CarryOver: Equatable {
        var generation: String
        var phase: RolloutPhase
        var kind: RolloutKind
    }

    /// How long after a failed start the next one is tried.
    static let startRetryDelay: TimeInterval = 5

    public init(name: String, desired: Target) {
        self.name = name
        self.desired = desired
    }

    /// Whether Git's spec is the serving one (comparing under the stored hash version).
    var desiredIsApplied: Bool {
        guard let applied else { return false }
        return applied.hash == hash(of: desired)
    }

    var isSuspended: Bool { userSuspended || desired.spec.suspend }

    /// `target`'s hash under the version this machine's stored hashes use.
    func hash(of target: Target) -> String {
        specHashVersion == ResolvedDeployment.specHashVersion ? target.hash : target.spec.specHash(version: specHashVersion)
    }

    /// Applies `input` at `now` and returns what to do, in order.
    public mutating func handle(_ input: DeploymentInput, now: Date) -> [DeploymentAction] {
        var actions: [DeploymentAction] = []
        switch input {
        case let .desired(target):
            receiveDesired(target, now: now, into: &actions)
        case let .removed(revision):
            if !removing {
                removing = true
                actions.append(.event(.normal, .deleted, "removed from Git at \(short(revision)); stopping \(replicas.count) replica\(replicas.count == 1 ? "" : "s")"))
            }
            if let rollout { finish(rollout, .superseded, reason: "removed from Git at \(short(revision))", into: &actions) }
        case let .rejected(message):
            rejection = message
        case let .prepared(revision, failure):
            guard var rollout, rollout.phase == .preparing, rollout.target.revision == revision else { break }
            if let failure {
                self.rollout = rollout
                fail("cannot prepare revision \(short(revision)): \(failure)", now: now, into: &actions)
            } else {
                rollout.phase = rollout.kind == .recreate ? .draining : .starting
                rollout.detail = nil
                // The download had its own deadline: starting gets the whole progress deadline.
                rollout.deadline = now.addingTimeInterval(TimeInterval(rollout.target.spec.rollout.progressDeadlineSeconds))
                self.rollout = rollout
            }
        case let .preparing(revision, detail):
            if var rollout, rollout.phase == .preparing, rollout.target.revision == revision {
                rollout.detail = detail
                self.rollout = rollout
            }
        case let .started(key, port, ports, identity, at):
            // The supervisor's own report may have come first: keep what it said.
            guard var slot = replicas[key], slot.phase != .stopping else { break }
            if slot.phase == .pending { slot.phase = .starting }
            slot.port = port
            slot.ports = ports
            slot.identity = slot.identity ?? identity
            slot.startedAt = at
            replicas[key] = slot
        case let .startFailed(key, reason, waiting):
            guard let slot = replicas[key], slot.phase == .pending else { break }
            replicas[key] = nil
            startBackoffUntil = now.addingTimeInterval(Self.startRetryDelay)
            if waiting {
                actions.append(.event(.warning, .replicaStartFailed, "replica \(key.index) could not start yet: \(reason); retrying in \(Int(Self.startRetryDelay))s"))
            } else if let rollout, rollout.generation == key.generation, !rollout.phase.isTerminal, rollout.phase != .rollingBack {
                fail("replica \(key.index) could not start: \(reason)", now: now, into: &actions)
            } else {
                actions.append(.event(.warning, .replicaStartFailed, "replica \(key.index) of \(short(slot.revision)) could not start: \(reason); retrying in \(Int(Self.startRetryDelay))s"))
            }
        case let .observed(key, observation):
            guard var slot = replicas[key], slot.phase != .stopping,
                  slot.phase != .pending || observation.identity != nil else { break }
            slot.phase = observation.phase
            if let identity = observation.identity { slot.identity = identity }
            slot.restarts = observation.restarts
            slot.lastExit = observation.lastExit ?? slot.lastExit
            slot.readySince = observation.phase == .ready ? (observation.readySince ?? slot.readySince ?? now) : nil
            slot.message = observation.message
            replicas[key] = slot
        case let .stopped(key):
            replicas[key] = nil
        case let .gone(key, reason):
            if let slot = replicas[key], slot.phase != .stopping, slot.key.generation == servingGeneration, !removing {
                actions.append(.event(.warning, .replicaGone, "replica \(key.index)\(slot.identity.map { " (pid \($0.pid))" } ?? ""): \(reason); starting it again"))
            }
            replicas[key] = nil
        case .tick:
            break
        case .resume:
            resume(now: now, into: &actions)
        case .retry:
            if let quarantine {
                actions.append(.event(.normal, .retryRequested, "quarantine of spec \(quarantine.specHash.prefix(12)) lifted by `mooring sync --retry`"))
                self.quarantine = nil
            }
            if rollout?.phase == .failed {
                // autoRollback off kept the failed replicas; a retry starts over (they are strays now).
                rollout = nil
            }
        case let .drained(key):
            if replicas[key]?.drainingSince != nil { replicas[key]?.drained = true }
        case let .traffic(problem):
            if problem != trafficProblem {
                trafficProblem = problem
                actions.append(problem.map { .event(.warning, .trafficFailed, "stable endpoint: \($0)") }
                               ?? .event(.normal, .trafficRestored, "stable endpoint served again"))
            }
        case let .tested(generation, results, failure):
            receiveTests(generation: generation, results: results, failure: failure, now: now, into: &actions)
        case let .canaryStats(generation, servers, failure):
            receiveCanaryStats(generation: generation, servers: servers, failure: failure, now: now, into: &actions)
        case let .suspend(on):
            if on != userSuspended {
                userSuspended = on
                actions.append(.event(.normal, on ? .suspended : .resumed,
                                      on ? "suspended by `mooring suspend`: runs as it is, Git is ignored until `mooring resume`" : "resumed: following Git again"))
            }
        }
        evaluate(now: now, into: &actions)
        recordPhase(into: &actions)
        carryOver = nil
        return actions
    }

    // MARK: Inputs

    private mutating func receiveDesired(_ target: Target, now: Date, into actions: inout [DeploymentAction]) {
        removing = false
        rejection = nil
        restampIfOlder(target)
        let changed = desired.hash != target.hash
        desired = target
        guard changed, let rollout else { return }
        if rollout.target.hash == target.hash { return }
        guard !isSuspended else { return }
        // Git moved while a rollout ran: it is an input like any other, not a race.
        switch rollout.phase {
        case .draining where rollout.promoted, .promoting, .done:
            finish(rollout, .succeeded, reason: nil, into: &actions)
        case .rollingBack, .failed:
            quarantine = Quarantine(specHash: rollout.target.hash, reason: rollout.failure ?? "its rollout failed")
            finish(rollout, rollout.phase == .failed ? .failed : .rolledBack, reason: rollout.failure ?? "failed", into: &actions)
        default:
            finish(rollout, .superseded, reason: "Git moved to \(short(target.revision)) (spec \(target.hash.prefix(12)))", into: &actions)
            // Same processes (only rollout settings or labels changed): the next rollout
            // keeps the replicas this one started and carries on from its phase.
            if rollout.target.spec.templateHash == target.spec.templateHash, rollout.kind != .scale {
                carryOver = CarryOver(generation: rollout.generation, phase: rollout.phase, kind: rollout.kind)
            }
        }
    }

    /// A machine loaded with hashes of an older spec-hash version adopts the current
    /// version the first time Git names a spec that is equal under the old one: nothing rolls.
    private mutating func restampIfOlder(_ target: Target) {
        guard specHashVersion != ResolvedDeployment.specHashVersion else { return }
        let old = target.spec.specHash(version: specHashVersion)
        if let applied, applied.hash == old {
            self.applied = Target(spec: target.spec, revision: applied.revision, hash: target.hash)
            for (key, slot) in replicas where slot.specHash == old { replicas[key]?.specHash = target.hash }
        }
        if let quarantine {
            self.quarantine = quarantine.specHash == old ? Quarantine(specHash: target.hash, reason: quarantine.reason) : nil
        }
        if attemptedHash == old { attemptedHash = target.hash }
        specHashVersion = ResolvedDeployment.specHashVersion
    }

    private mutating func resume(now: Date, into actions: inout [DeploymentAction]) {
        if var rollout, !rollout.phase.isTerminal {
            rollout.deadline = now.addingTimeInterval(TimeInterval(rollout.phase == .preparing
                ? rollout.target.spec.preparingDeadlineSeconds : rollout.target.spec.rollout.progressDeadlineSeconds))
            self.rollout = rollout
            actions.append(.event(.normal, .rolloutResumed, "resuming the rollout of \(short(rollout.target.revision)) at phase \(rollout.phase.rawValue) after a controller restart"))
            // Tests in flight died with the old controller: they run again.
            if rollout.phase == .testing, rollout.testsPassed != true { self.rollout?.testsRequested = nil }
            // A canary reading in flight died too; the step keeps its weight, its start and
            // its baseline, so its pause counts from when it began.
            if rollout.phase == .canary, var progress = rollout.canary {
                progress.measureRequested = nil
                self.rollout?.canary = progress
                if let steps = rollout.target.spec.rollout.canary?.steps, steps.indices.contains(progress.step) {
                    let step = steps[progress.step]
                    let stepDeadline = progress.startedAt.addingTimeInterval(TimeInterval(step.pauseSeconds + rollout.target.spec.rollout.progressDeadlineSeconds))
                    self.rollout?.deadline = max(stepDeadline, now.addingTimeInterval(TimeInterval(rollout.target.spec.rollout.progressDeadlineSeconds)))
                }
            }
            if rollout.phase == .preparing { actions.append(.prepare(revision: rollout.target.revision)) }
        }
        for slot in replicas.values.sorted(by: { $0.key < $1.key }) {
            switch slot.phase {
            case .stopping: actions.append(.stop(slot.key, why: slot.message ?? "stop interrupted by a controller restart"))
            case .pending: actions.append(.start(slot.key, target(forSpecHash: slot.specHash, revision: slot.revision)))
            default: break
            }
        }
    }

    /// The target a slot runs: the rollout's, the applied one or the desired one.
    func target(forSpecHash hash: String, revision: String) -> Target {
        for candidate in [rollout?.target, applied, desired].compactMap({ $0 }) where candidate.hash == hash {
            return Target(spec: candidate.spec, revision: revision, hash: candidate.hash)
        }
        return desired
    }
}

/// The 7-character form of a commit id, for messages.
func short(_ revision: String?) -> String {
    guard let revision else { return "-" }
    return String(revision.prefix(7))
}
