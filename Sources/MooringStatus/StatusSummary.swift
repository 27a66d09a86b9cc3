/// Sync, health, ready count and message of one deployment, computed from its facts — the
/// one place status words are decided ("summarize and patch"). Pure: the controller calls
/// it after every transition, and `mooring status` calls it again with what it observed
/// itself (controller gone, pids dead), so the words never echo a stale guess.
public struct StatusSummary: Sendable, Equatable {
    public var sync: DeploymentSync
    public var health: DeploymentHealth
    public var readyReplicas: Int
    /// One line, for people: why it is not green (empty when it is).
    public var message: String

    public init(sync: DeploymentSync, health: DeploymentHealth, readyReplicas: Int, message: String) {
        self.sync = sync
        self.health = health
        self.readyReplicas = readyReplicas
        self.message = message
    }

    /// The summary of `facts`.
    public static func of(_ facts: DeploymentFacts) -> StatusSummary {
        let ready = facts.serving.filter { $0.phase == .ready && $0.alive != false }.count
        let sync = syncWord(facts)
        var (health, message) = healthWord(facts, ready: ready)
        if message.isEmpty, sync == .outOfSync {
            message = outOfSyncReason(facts)
        }
        return StatusSummary(sync: sync, health: health, readyReplicas: ready, message: message)
    }

    private static func syncWord(_ facts: DeploymentFacts) -> DeploymentSync {
        if facts.rejection != nil || facts.removing { return .outOfSync }
        if let rollout = facts.rollout, !rollout.phase.isTerminal { return .outOfSync }
        return facts.appliedSpecHash == facts.desiredSpecHash ? .synced : .outOfSync
    }

    private static func healthWord(_ facts: DeploymentFacts, ready: Int) -> (DeploymentHealth, String) {
        if !facts.controllerRunning,
           let gone = facts.serving.first(where: { $0.alive == false && $0.phase != .stopping }) {
            let pid = gone.pid.map { " (pid \($0))" } ?? ""
            return (.unknown, "controller not running; replica \(gone.index)\(pid) is gone — start `mooring run` to restore it")
        }
        if !facts.controllerRunning, ready < facts.appliedReplicas, !facts.suspended {
            return (.unknown, "controller not running; \(ready)/\(facts.appliedReplicas) replicas run — start `mooring run` to restore it")
        }
        if facts.removing {
            return (.progressing, "removed from Git; stopping its replicas")
        }
        if facts.suspended {
            return (.suspended, "suspended: the controller leaves it as it runs and ignores Git for it until resumed")
        }
        if let problem = facts.endpointProblem {
            return (.degraded, "stable endpoint not served: \(problem)")
        }
        if let rollout = facts.rollout {
            let target = short(rollout.revision)
            switch rollout.phase {
            case .rollingBack:
                let keeps = facts.appliedRevision.map { "; \(short($0)) keeps serving" } ?? ""
                return (.degraded, "rolling back \(target): \(rollout.failure ?? "the rollout failed")\(keeps)")
            case .failed:
                return (.degraded, "rollout of \(target) failed: \(rollout.failure ?? "unknown reason"); its replicas are kept (autoRollback is off)")
            case .done:
                break
            default:
                let detail = rollout.detail.map { ": \($0)" } ?? ""
                let downtime = rollout.kind == .recreate ? " — Recreate has downtime by design" : ""
                return (.progressing, "rolling out \(target) (\(rollout.kind.rawValue), \(rollout.phase.rawValue.lowercased()))\(detail)\(downtime)")
            }
        }
        if let quarantined = facts.quarantinedSpecHash, quarantined == facts.desiredSpecHash {
            let reason = facts.quarantineReason ?? "its rollout failed"
            let keeps = facts.appliedRevision.map { "; \(short($0)) keeps serving" } ?? ""
            return (.degraded, "rollout of \(short(facts.desiredRevision)) failed: \(reason)\(keeps); not retried until Git changes it or `mooring sync --retry \(facts.name)`")
        }
        guard facts.appliedSpecHash != nil else {
            return (.missing, "not deployed yet")
        }
        if let looping = facts.serving.first(where: { $0.phase == .crashLoop }) {
            return (.degraded, "replica \(looping.index) is crash-looping (\(looping.restarts) restarts, last \(looping.lastExit ?? "exit unknown")); see `mooring logs \(facts.name) --previous`")
        }
        if let exited = facts.serving.first(where: { $0.phase == .exited }) {
            return (.degraded, "replica \(exited.index) exited (\(exited.lastExit ?? "exit unknown")) and its restart policy does not restart it")
        }
        if ready < facts.appliedReplicas {
            let waiting = facts.serving.sorted { $0.index < $1.index }.first { $0.phase != .ready }
            let detail = waiting.map { "; replica \($0.index) is \($0.phase.rawValue.lowercased())" } ?? "; replicas are being started"
            return (.progressing, "\(ready)/\(facts.appliedReplicas) replicas ready\(detail)")
        }
        if !facts.controllerRunning {
            return (.healthy, "controller not running; every recorded process is alive (readiness as last probed)")
        }
        return (.healthy, "")
    }

    private static func outOfSyncReason(_ facts: DeploymentFacts) -> String {
        if let rejection = facts.rejection { return rejection }
        return "Git wants \(short(facts.desiredRevision)); \(facts.appliedRevision.map(short) ?? "nothing") is applied"
    }

    private static func short(_ revision: String) -> String { String(revision.prefix(7)) }
}
