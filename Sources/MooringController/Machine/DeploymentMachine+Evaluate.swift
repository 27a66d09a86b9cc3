import Foundation
import MooringManifests
import MooringStatus

extension DeploymentMachine {
    /// After every input: decide what the deployment needs now. Order matters and is the
    /// whole policy: removal, suspension, the rollout under way (or a new one), the serving
    /// replicas, strays, and the next timer.
    mutating func evaluate(now: Date, into actions: inout [DeploymentAction]) {
        if removing {
            for slot in replicas.values { stop(slot.key, now: now, why: "removed from Git", into: &actions) }
            if replicas.isEmpty { actions.append(.delete) }
            return
        }
        if isSuspended {
            // Left as it runs: the serving replicas stay; a rollout under way is abandoned
            // and the replicas it started are stopped.
            if let rollout, !rollout.phase.isTerminal || rollout.phase == .failed {
                finish(rollout, .superseded, reason: "suspended", into: &actions)
            }
            stopStrays(now: now, into: &actions)
            return
        }
        if rollout == nil, !desiredIsApplied, quarantine?.specHash != hash(of: desired) {
            begin(now: now, into: &actions)
        }
        if rollout != nil {
            advance(now: now, into: &actions)
        }
        if rollout == nil || rollout?.phase == .failed || rollout.map(keepsTheOldGenerationWhole) == true {
            keepServing(now: now, into: &actions)
        }
        stopStrays(now: now, into: &actions)
        if let wake = nextWake(now: now) { actions.append(.wake(at: wake)) }
    }

    // MARK: Steady state

    /// No rollout (or one that keeps the old generation whole): the applied spec's replicas
    /// exist, one per index (a replica whose process vanished while no controller ran is
    /// started again).
    private mutating func keepServing(now: Date, into actions: inout [DeploymentAction]) {
        guard let applied else { return }
        let generation: String
        if let serving = servingGeneration {
            generation = serving
        } else {
            generation = newGeneration(for: applied)
            servingGeneration = generation
        }
        for index in 0..<applied.spec.replicas where replicas[ReplicaKey(generation: generation, index: index)] == nil {
            spawn(ReplicaKey(generation: generation, index: index), applied, now: now, into: &actions)
        }
        for slot in replicas.values where slot.key.generation == generation && slot.key.index >= applied.spec.replicas {
            stop(slot.key, now: now, why: "scaled down to \(applied.spec.replicas)", into: &actions)
        }
    }

    /// Whether the serving generation stays whole while `rollout` runs: a Surge rollout
    /// before its promotion (preparing, starting, gating, testing, a canary, rolling back)
    /// keeps every old replica serving, so one found gone (it died while no controller ran)
    /// is started again now, not after the rollout. A Recreate stops them on purpose; a
    /// scale rollout starts its own.
    private func keepsTheOldGenerationWhole(_ rollout: RolloutState) -> Bool {
        rollout.kind == .surge && !rollout.promoted && !rollout.phase.isTerminal
            && servingGeneration != nil && servingGeneration != rollout.generation
    }

    /// Stops replicas of generations that neither serve nor are being rolled out.
    private mutating func stopStrays(now: Date, into actions: inout [DeploymentAction]) {
        let keep = Set([servingGeneration, rollout?.generation].compactMap { $0 })
        for slot in replicas.values.sorted(by: { $0.key < $1.key }) where !keep.contains(slot.key.generation) {
            stop(slot.key, now: now, why: "superseded", into: &actions)
        }
    }

    private func nextWake(now: Date) -> Date? {
        var wakes = [startBackoffUntil].compactMap { $0 }.filter { $0 > now }
        for slot in replicas.values where slot.drainingSince != nil && !slot.drained && slot.phase != .stopping {
            if let until = drainDeadline(slot), until > now { wakes.append(until) }
        }
        guard let rollout, !rollout.phase.isTerminal else { return wakes.min() }
        var wake = rollout.deadline
        if rollout.phase == .gating, !awaitsModelTests(rollout) {
            let minHealthy = TimeInterval(rollout.target.spec.rollout.minHealthySeconds)
            for slot in replicas.values where slot.key.generation == rollout.generation {
                if let ready = slot.readySince, case let since = max(ready, rollout.testsPassedAt ?? .distantPast),
                   since.addingTimeInterval(minHealthy) > now {
                    wake = min(wake, since.addingTimeInterval(minHealthy))
                }
            }
        }
        if let canary = canaryWake(rollout) { wake = min(wake, canary) }
        if wake > now { wakes.append(wake) }
        return wakes.min()
    }

    // MARK: Rollouts

    private mutating func begin(now: Date, into actions: inout [DeploymentAction]) {
        let target = desired
        let kind: RolloutKind
        let generation: String
        var phase = RolloutPhase.preparing
        if let carried = carryOver, replicas.values.contains(where: { $0.key.generation == carried.generation }) {
            kind = carried.kind
            generation = carried.generation
            phase = carried.phase
        } else if let applied, let serving = servingGeneration,
           applied.spec.templateHash == target.spec.templateHash, replicas.values.contains(where: { $0.key.generation == serving }) {
            kind = .scale
            generation = serving
        } else {
            kind = target.spec.rollout.strategy == .recreate && applied != nil ? .recreate : .surge
            generation = newGeneration(for: target)
        }
        let deadline = now.addingTimeInterval(TimeInterval(phase == .preparing
            ? target.spec.preparingDeadlineSeconds : target.spec.rollout.progressDeadlineSeconds))
        rollout = RolloutState(kind: kind, phase: phase, target: target, generation: generation,
                               fromHash: applied?.hash, fromRevision: applied?.revision, startedAt: now, deadline: deadline)
        attemptedHash = target.hash
        attemptedRevision = target.revision
        actions.append(.history(.begin(kind: kind, revision: target.revision, specHash: target.hash,
                                       fromHash: applied?.hash, fromRevision: applied?.revision)))
        let from = applied.map { " (from \(short($0.revision)))" } ?? ""
        let keeps = phase == .preparing ? "" : " (keeping the replicas already started)"
        actions.append(.event(.normal, .rolloutStarted, "rolling out \(short(target.revision))\(from) with \(kind.rawValue)\(keeps)"))
        if phase == .preparing { actions.append(.prepare(revision: target.revision)) }
    }

    /// Moves the rollout through as many phases as the facts allow.
    private mutating func advance(now: Date, into actions: inout [DeploymentAction]) {
        while var rollout, !rollout.phase.isTerminal {
            let before = rollout.phase
            let spec = rollout.target.spec
            let mine = replicas.values.filter { $0.key.generation == rollout.generation }
            switch rollout.phase {
            case .preparing:
                rollout.detail = rollout.detail ?? spec.preparingDetail(revision: rollout.target.revision)
                self.rollout = rollout
                if now >= rollout.deadline {
                    fail(spec.preparingDeadlineMessage, now: now, into: &actions)
                }

            case .draining where !rollout.promoted:
                // Recreate: everything else goes first.
                drain(replicas.values.filter { $0.key.generation != rollout.generation }, of: &rollout,
                      why: "Recreate stops the old replicas first", kind: "old", then: .starting, now: now, into: &actions)

            case .starting:
                for index in 0..<spec.replicas where replicas[ReplicaKey(generation: rollout.generation, index: index)] == nil {
                    spawn(ReplicaKey(generation: rollout.generation, index: index), rollout.target, now: now, into: &actions)
                }
                if rollout.kind == .scale {
                    for slot in mine where slot.key.index >= spec.replicas {
                        stop(slot.key, now: now, why: "scaled down to \(spec.replicas)", into: &actions)
                    }
                }
                let notStarted = (0..<spec.replicas).filter {
                    let phase = replicas[ReplicaKey(generation: rollout.generation, index: $0)]?.phase
                    return phase == nil || phase == .pending
                }
                if notStarted.isEmpty {
                    rollout.phase = .gating
                } else {
                    rollout.detail = "starting \(notStarted.count) replica\(notStarted.count == 1 ? "" : "s")"
                }
                self.rollout = rollout
                if rollout.phase == .starting, now >= rollout.deadline {
                    fail("replicas not started within progressDeadlineSeconds (\(spec.rollout.progressDeadlineSeconds)s)", now: now, into: &actions)
                }

            case .gating where (0..<spec.replicas).contains { replicas[ReplicaKey(generation: rollout.generation, index: $0)] == nil }:
                // A replica vanished (found gone after a controller restart): start it again.
                rollout.phase = .starting
                self.rollout = rollout

            case .gating:
                switch gate(rollout, now: now) {
                case .passed:
                    rollout.phase = awaitsModelTests(rollout) ? .testing : (needsCanary(rollout) ? .canary : .promoting)
                    rollout.detail = nil
                    self.rollout = rollout
                case let .waiting(detail):
                    rollout.detail = detail
                    self.rollout = rollout
                    if now >= rollout.deadline {
                        fail("not healthy within progressDeadlineSeconds (\(spec.rollout.progressDeadlineSeconds)s): \(detail)", now: now, into: &actions)
                    }
                case let .failed(reason):
                    self.rollout = rollout
                    fail(reason, now: now, into: &actions)
                }

            case .testing:
                test(&rollout, now: now, into: &actions)

            case .canary:
                runCanary(&rollout, now: now, into: &actions)

            case .promoting:
                // The gate passed: the new generation serves (traffic shifts here).
                if let applied, applied.spec.model?.uri != rollout.target.spec.model?.uri { previous = applied }
                applied = rollout.target
                servingGeneration = rollout.generation
                quarantine = nil
                rollout.promoted = true
                rollout.phase = rollout.kind == .recreate ? .done : .draining
                self.rollout = rollout

            case .draining:
                drain(replicas.values.filter { $0.key.generation != rollout.generation || $0.key.index >= spec.replicas },
                      of: &rollout, why: "replaced by \(short(rollout.target.revision))", kind: "old", then: .done, now: now, into: &actions)

            case .rollingBack:
                let appliedReplicas = applied?.spec.replicas ?? 0
                drain(replicas.values.filter {
                    $0.key.generation == rollout.generation && (rollout.kind != .scale || $0.key.index >= appliedReplicas)
                }, of: &rollout, why: "rolled back", kind: "failed", then: .failed, now: now, into: &actions)

            case .done, .failed:
                break
            }
            guard let after = self.rollout, after.phase != before else { break }
        }
        settle(into: &actions)
    }

    /// Ends a rollout that reached `done` or `failed`: records its outcome, and for a
    /// failure quarantines its spec. Without `autoRollback` a failed rollout stays (its
    /// replicas keep running) until Git changes or `mooring sync --retry`.
    private mutating func settle(into actions: inout [DeploymentAction]) {
        guard let rollout else { return }
        if rollout.phase == .done {
            let count = rollout.target.spec.replicas
            actions.append(.event(.normal, .rolloutSucceeded,
                                  "revision \(short(rollout.target.revision)) is serving (\(count) replica\(count == 1 ? "" : "s") healthy for \(rollout.target.spec.rollout.minHealthySeconds)s)"))
            finish(rollout, .succeeded, reason: nil, into: &actions)
        } else if rollout.phase == .failed, !rollout.closed {
            let reason = rollout.failure ?? "the rollout failed"
            quarantine = Quarantine(specHash: rollout.target.hash, reason: reason)
            let keeps = applied.map { "; \(short($0.revision)) keeps serving" } ?? ""
            actions.append(.event(.warning, .quarantined,
                                  "spec \(rollout.target.hash.prefix(12)) of \(short(rollout.target.revision)) is quarantined\(keeps); retry with `mooring sync --retry \(name)` or change it in Git"))
            if rollout.target.spec.rollout.autoRollback {
                finish(rollout, .rolledBack, reason: reason, into: &actions)
            } else {
                var kept = rollout
                kept.closed = true
                self.rollout = kept
                recordPhase(into: &actions)
                actions.append(.history(.finish(.failed, reason: reason)))
            }
        }
    }

    /// Records the rollout's phase in its history row when it changed.
    mutating func recordPhase(into actions: inout [DeploymentAction]) {
        guard var rollout, rollout.recordedPhase != rollout.phase else { return }
        rollout.recordedPhase = rollout.phase
        self.rollout = rollout
        actions.append(.history(.phase(rollout.phase)))
    }

    /// Stops `slots`; once none is left the rollout moves to `next`, until then its
    /// detail says how many `kind` replicas are still being stopped.
    private mutating func drain(_ slots: [ReplicaSlot], of rollout: inout RolloutState, why: String, kind: String,
                                then next: RolloutPhase, now: Date, into actions: inout [DeploymentAction]) {
        for slot in slots { stop(slot.key, now: now, why: why, into: &actions) }
        if slots.isEmpty {
            rollout.phase = next
        } else {
            let draining = slots.filter { replicas[$0.key]?.phase != .stopping }.count
            rollout.detail = draining > 0
                ? "draining \(draining) \(kind) replica\(draining == 1 ? "" : "s") at the stable endpoint (waiting for their requests to finish)"
                : "stopping \(slots.count) \(kind) replica\(slots.count == 1 ? "" : "s")"
        }
        self.rollout = rollout
    }

    private enum Gate { case passed, waiting(String), failed(String) }

    /// Every new replica ready for `minHealthySeconds` — or why not.
    private func gate(_ rollout: RolloutState, now: Date) -> Gate {
        let spec = rollout.target.spec
        // Before the model tests only readiness counts; after them the healthy time is
        // counted from their pass (when the replicas took traffic).
        let minHealthy = awaitsModelTests(rollout) ? 0 : TimeInterval(spec.rollout.minHealthySeconds)
        var waiting: String?
        for index in 0..<spec.replicas {
            guard let slot = replicas[ReplicaKey(generation: rollout.generation, index: index)] else {
                return .waiting("replica \(index) is not started")
            }
            switch slot.phase {
            case .crashLoop:
                return .failed("replica \(index) is crash-looping (\(slot.lastExit?.description ?? "exit unknown"))\(slot.message.map { ": \($0)" } ?? "")")
            case .exited:
                return .failed("replica \(index) exited (\(slot.lastExit?.description ?? "exit unknown")) and its restart policy does not restart it")
            case .ready:
                let since = max(slot.readySince ?? now, rollout.testsPassedAt ?? .distantPast)
                let healthy = now.timeIntervalSince(since)
                if healthy < minHealthy, waiting == nil {
                    waiting = "replica \(index) ready, \(Int(healthy))s of \(spec.rollout.minHealthySeconds)s healthy"
                }
            default:
                if waiting == nil {
                    var detail = "replica \(index) is \(slot.phase.rawValue.lowercased())"
                    if let message = slot.message { detail += ": \(message)" }
                    if let exit = slot.lastExit { detail += "; last \(exit)" }
                    waiting = detail
                }
            }
        }
        return waiting.map(Gate.waiting) ?? .passed
    }

    /// The rollout failed: roll back (stop its replicas, keep or bring back the applied
    /// spec) or, without `autoRollback`, keep its replicas and stop there.
    mutating func fail(_ reason: String, now: Date, into actions: inout [DeploymentAction]) {
        guard var rollout else { return }
        rollout.failure = reason
        rollout.detail = nil
        actions.append(.event(.warning, .rolloutFailed, "rollout of \(short(rollout.target.revision)) failed: \(reason)"))
        rollout.phase = rollout.target.spec.rollout.autoRollback ? .rollingBack : .failed
        self.rollout = rollout
    }

    /// Ends `rollout`'s record with `outcome` and clears it.
    mutating func finish(_ rollout: RolloutState, _ outcome: RolloutOutcome, reason: String?, into actions: inout [DeploymentAction]) {
        recordPhase(into: &actions)
        if !rollout.closed {
            actions.append(.history(.finish(outcome, reason: reason)))
        }
        if outcome == .superseded {
            actions.append(.event(.normal, .rolloutSuperseded, "rollout of \(short(rollout.target.revision)) ended at phase \(rollout.phase.rawValue): \(reason ?? "superseded")"))
        }
        self.rollout = nil
    }

    // MARK: Replicas

    private mutating func spawn(_ key: ReplicaKey, _ target: Target, now: Date, into actions: inout [DeploymentAction]) {
        if let until = startBackoffUntil, until > now { return }
        replicas[key] = ReplicaSlot(key: key, specHash: target.hash, revision: target.revision, phase: .pending, startedAt: now)
        actions.append(.start(key, target))
    }

    private mutating func stop(_ key: ReplicaKey, now: Date, why: String, into actions: inout [DeploymentAction]) {
        guard var slot = replicas[key], slot.phase != .stopping else { return }
        if needsDrain(slot) {
            // Behind a stable endpoint: out of rotation first, stopped once its requests
            // finished (or `gracePeriodSeconds` passed) — see ``trafficServers``.
            if slot.drainingSince == nil {
                slot.drainingSince = now
                slot.message = "draining: \(why)"
                replicas[key] = slot
                return
            }
            if !slot.drained, let until = drainDeadline(slot), now < until { return }
        }
        if slot.phase == .pending {
            // Never spawned (or its spawn is in flight): the start's report removes it.
            slot.phase = .stopping
            slot.message = why
            replicas[key] = slot
            actions.append(.stop(key, why: why))
            return
        }
        slot.phase = .stopping
        slot.readySince = nil
        slot.message = why
        replicas[key] = slot
        actions.append(.stop(key, why: why))
    }

    private mutating func newGeneration(for target: Target) -> String {
        defer { nextGeneration += 1 }
        return "g\(nextGeneration)-\(target.spec.templateHash.prefix(8))"
    }
}
