import Foundation
import MooringModelChecks
import MooringStore

/// One deployment's step: its machine before and after an input, and the actions the
/// input produced. Written to the store whole, before any action is carried out.
struct Transition: Sendable {
    var name: String
    /// `nil` for a deployment seen for the first time.
    var before: DeploymentMachine?
    var after: DeploymentMachine
    var actions: [DeploymentAction]

    /// Whether anything must be written.
    var changesState: Bool {
        before != after || actions.contains {
            switch $0 {
            case .event, .history, .delete: return true
            case .prepare, .start, .stop, .wake, .runTests, .measureCanary: return false
            }
        }
    }

    var deletes: Bool { actions.contains(.delete) }
}

extension StoreTransaction {
    /// Writes a transition: the deployment row (or its deletion), the replica rows that
    /// changed, the rollout history and the events — in the order the machine gave them.
    /// Without `writingRow` the deployment row is left for a later transition of the same
    /// deployment in the same store transaction to write.
    func record(_ transition: Transition, layout: StateLayout, writingRow: Bool = true) throws {
        let name = transition.name
        for action in transition.actions {
            switch action {
            case let .history(change):
                try recordHistory(change, of: name)
                if case .begin = change { try recordAudit(of: transition) }
            case let .event(type, reason, message):
                try appendEvent(type, reason: reason.rawValue, message: message, deployment: name)
            case .prepare, .start, .stop, .wake, .delete, .runTests, .measureCanary:
                break
            }
        }
        if transition.deletes {
            try deleteDeployment(named: name)
            return
        }
        if writingRow { try saveDeployment(try transition.after.record()) }
        let old = transition.before?.replicas ?? [:]
        for (key, slot) in transition.after.replicas where old[key] != slot {
            try putReplica(slot.record(deployment: name, logPath: layout.logFile(deployment: name, generation: key.generation, replica: key.index).path))
        }
        for key in old.keys where transition.after.replicas[key] == nil {
            try deleteReplica(deployment: name, generation: key.generation, index: key.index)
        }
    }

    private func recordHistory(_ change: HistoryChange, of name: String) throws {
        switch change {
        case let .begin(kind, revision, specHash, fromHash, fromRevision):
            try beginRollout(deployment: name, revision: revision, specHash: specHash,
                             fromSpecHash: fromHash, fromRevision: fromRevision, strategy: kind)
        case let .phase(phase):
            if let open = try inProgressRollout(of: name), let id = open.id {
                try setRolloutPhase(id: id, phase)
            }
        case let .finish(outcome, reason):
            if let open = try inProgressRollout(of: name), let id = open.id {
                try finishRollout(id: id, outcome: outcome, reason: reason)
            }
        case let .tests(results):
            if let open = try inProgressRollout(of: name), let id = open.id {
                try recordRolloutTests(results.map {
                    RolloutTestRecord(rolloutId: id, check: $0.name, passed: $0.passed, latencyMillis: $0.latencyMillis,
                                      statistic: $0.latencyStatistic.rawValue, calls: $0.calls, detail: $0.detail)
                })
            }
        case let .canaryStep(result):
            if let open = try inProgressRollout(of: name), let id = open.id {
                let m = result.measurement
                try recordCanaryStep(RolloutCanaryStepRecord(
                    rolloutId: id, step: result.step, weight: result.weight, requests: m.requests,
                    responses5xx: m.responses5xx, connectionErrors: m.connectionErrors, errorRatio: min(1, m.errorRatio),
                    responseTimeMillis: m.responseTimeMillis, seconds: max(0, m.seconds), passed: result.passed, verdict: result.verdict))
            }
        }
    }
}
