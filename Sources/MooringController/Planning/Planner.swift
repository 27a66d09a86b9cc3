import Foundation
import MooringManifests

/// Turns the desired state (a valid revision's deployments) and the observed state into
/// an ordered plan. Pure: no I/O, no clock, the same inputs give the same plan.
public enum Planner {
    /// The plan: deletes first (they free ports and memory), then updates and scales,
    /// then creates, then the rest; by name within each group.
    public static func plan(desired: [ResolvedDeployment], observed: [ObservedDeployment]) -> [PlanStep] {
        let observedByName = Dictionary(observed.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let desiredNames = Set(desired.map(\.name))
        var steps: [PlanStep] = []

        for gone in observed where !desiredNames.contains(gone.name) {
            steps.append(PlanStep(name: gone.name, action: .delete, desired: gone.applied))
        }
        for spec in desired {
            steps.append(PlanStep(name: spec.name, action: action(for: spec, observed: observedByName[spec.name]), desired: spec))
        }
        return steps.sorted { (rank($0.action), $0.name) < (rank($1.action), $1.name) }
    }

    static func action(for spec: ResolvedDeployment, observed: ObservedDeployment?) -> PlanAction {
        if spec.suspend { return .suspended }
        let hash = spec.specHash
        if let quarantined = observed?.quarantinedSpecHash, quarantined == hash {
            return .quarantined(reason: observed?.quarantineReason ?? "this spec failed its rollout")
        }
        guard let applied = observed?.applied else { return .create }
        if applied.specHash == hash { return .noop }
        let changes = diff(applied, spec)
        if applied.templateHash == spec.templateHash {
            return .scale(from: applied.replicas, to: spec.replicas, changes: changes)
        }
        return .update(changes: changes)
    }

    private static func rank(_ action: PlanAction) -> Int {
        switch action {
        case .delete: return 0
        case .update, .scale: return 1
        case .create: return 2
        case .noop, .quarantined, .suspended: return 3
        }
    }

    /// Every leaf field that differs, as dotted paths, sorted.
    public static func diff(_ old: ResolvedDeployment, _ new: ResolvedDeployment) -> [FieldChange] {
        let a = flatten(old), b = flatten(new)
        return Set(a.keys).union(b.keys).sorted().compactMap { key in
            a[key] == b[key] ? nil : FieldChange(field: key, old: a[key], new: b[key])
        }
    }

    /// The spec as `path → value` leaves, named as in the manifest.
    static func flatten(_ spec: ResolvedDeployment) -> [String: String] {
        var out: [String: String] = [
            "runtime": spec.runtime ?? "",
            "command": spec.command.joined(separator: " "),
            "workingDir": spec.workingDir,
            "replicas": String(spec.replicas),
            "health.probe": describe(spec.health.probe),
            "health.startupTimeoutSeconds": String(spec.health.startupTimeoutSeconds),
            "health.periodSeconds": String(spec.health.periodSeconds),
            "health.timeoutSeconds": String(spec.health.timeoutSeconds),
            "health.failureThreshold": String(spec.health.failureThreshold),
            "health.successThreshold": String(spec.health.successThreshold),
            "rollout.strategy": spec.rollout.strategy.rawValue,
            "rollout.minHealthySeconds": String(spec.rollout.minHealthySeconds),
            "rollout.progressDeadlineSeconds": String(spec.rollout.progressDeadlineSeconds),
            "rollout.autoRollback": String(spec.rollout.autoRollback),
            "restart.policy": spec.restart.policy.rawValue,
            "restart.backoff.initialSeconds": String(spec.restart.backoffInitialSeconds),
            "restart.backoff.maxSeconds": String(spec.restart.backoffMaxSeconds),
            "restart.backoff.resetAfterSeconds": String(spec.restart.backoffResetAfterSeconds),
            "stop.gracePeriodSeconds": String(spec.gracePeriodSeconds),
            "suspend": String(spec.suspend),
        ]
        if let model = spec.model {
            out["model.uri"] = model.uri
            out["model.version"] = model.version
            if let sha = model.sha256 { out["model.sha256"] = sha }
        }
        for (key, value) in spec.env { out["env.\(key)"] = value }
        for (key, value) in spec.labels { out["metadata.labels.\(key)"] = value }
        return out
    }

    private static func describe(_ probe: ProbeAction) -> String {
        switch probe {
        case let .http(path, port, scheme): return "http \(scheme)://:\(port.map(String.init) ?? "{{port}}")\(path)"
        case let .tcp(port): return "tcp :\(port.map(String.init) ?? "{{port}}")"
        case let .exec(command): return "exec " + command.joined(separator: " ")
        }
    }
}
