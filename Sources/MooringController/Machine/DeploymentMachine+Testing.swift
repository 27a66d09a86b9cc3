import Foundation
import MooringManifests
import MooringModelChecks
import MooringStatus

/// The Testing gate: after the health gate, before the new replicas take over, the
/// deployment's `spec.tests` run against each of them. The machine only asks
/// (`.runTests`) and hears back (`.tested`); a failed check fails the rollout like a
/// missed deadline — rolled back, quarantined, the message naming the check.
extension DeploymentMachine {
    /// Whether a rollout passes through Testing: its spec has tests and it starts new
    /// processes (a scale keeps the serving ones, which already passed).
    func needsModelTests(_ rollout: RolloutState) -> Bool {
        rollout.kind != .scale && !(rollout.target.spec.tests ?? []).isEmpty
    }

    /// Whether the rollout's replicas still wait for their model tests: until then they
    /// take no traffic and the health gate asks only that they be ready.
    func awaitsModelTests(_ rollout: RolloutState) -> Bool {
        needsModelTests(rollout) && rollout.testsPassed != true && !rollout.promoted
    }

    /// One step of the Testing phase: ask for the tests once, wait for them within the
    /// progress deadline, move on when they passed.
    mutating func test(_ rollout: inout RolloutState, now: Date, into actions: inout [DeploymentAction]) {
        if rollout.testsPassed == true {
            // Back to the gate: `minHealthySeconds` now counts from the tests' pass, the
            // time the new replicas took traffic behind a stable endpoint.
            rollout.phase = .gating
            rollout.detail = nil
            self.rollout = rollout
            return
        }
        let mine = replicas.values.filter { $0.key.generation == rollout.generation }.sorted { $0.key < $1.key }
        let checks = rollout.target.spec.tests?.count ?? 0
        if rollout.testsRequested != true {
            let ports = mine.compactMap { slot in slot.port.map { ReplicaPort(index: slot.key.index, port: $0) } }
            rollout.testsRequested = true
            rollout.detail = "running \(checks) model test\(checks == 1 ? "" : "s") against \(ports.count) new replica\(ports.count == 1 ? "" : "s")"
            actions.append(.runTests(generation: rollout.generation, rollout.target, ports: ports))
        }
        self.rollout = rollout
        if now >= rollout.deadline {
            fail("model tests did not finish within progressDeadlineSeconds (\(rollout.target.spec.rollout.progressDeadlineSeconds)s)", now: now, into: &actions)
        }
    }

    /// The outcome of `.runTests`: ignored unless it is for the rollout still in Testing.
    mutating func receiveTests(generation: String, results: [CheckResult], failure: String?, now: Date,
                               into actions: inout [DeploymentAction]) {
        guard var rollout, rollout.phase == .testing, rollout.generation == generation, rollout.testsRequested == true else { return }
        let replicaCount = Set(replicas.keys.filter { $0.generation == generation }.map(\.index)).count
        actions.append(.history(.tests(results)))
        if let failure {
            self.rollout = rollout
            fail(failure, now: now, into: &actions)
            return
        }
        rollout.testsPassed = true
        rollout.testsPassedAt = now
        self.rollout = rollout
        actions.append(.event(.normal, .rolloutPhase, "revision \(short(rollout.target.revision)): \(ModelGate.summary(results, replicas: replicaCount))"))
    }
}
