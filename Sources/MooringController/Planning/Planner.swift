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

    /// What to do with `spec`, given what runs.
    ///
    /// Stored hashes are compared in the canonical form they were computed with: the
    /// desired spec's `specHash(version: observed.appliedSpecHashVersion)` against
    /// `appliedSpecHash` (and likewise for the quarantined hash), and the diff and the
    /// scale-or-update decision use both specs as that version sees them. So when a newer
    /// controller extends the canonical form (version 2 added the model's content id), a
    /// spec that has not changed is still `.noop`. The controller then re-stamps the stored
    /// hash with `spec.specHash` at the current version — hash and version only: the
    /// applied spec and its replicas stay as they are, so their generation is unchanged —
    /// and from then on a change to the model's content rolls the deployment.
    static func action(for spec: ResolvedDeployment, observed: ObservedDeployment?) -> PlanAction {
        if spec.suspend { return .suspended }
        if let observed, let quarantined = observed.quarantinedSpecHash,
           quarantined == spec.specHash(version: observed.quarantinedSpecHashVersion) {
            return .quarantined(reason: observed.quarantineReason ?? "this spec failed its rollout")
        }
        guard let observed, let applied = observed.applied else { return .create }
        let version = observed.appliedSpecHashVersion
        let appliedHash = observed.appliedSpecHash ?? applied.specHash(version: version)
        if appliedHash == spec.specHash(version: version) { return .noop }
        let changes = diff(applied.canonicalized(version: version), spec.canonicalized(version: version))
        if applied.templateHash(version: version) == spec.templateHash(version: version) {
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

    /// Every leaf field that differs, as dotted paths, sorted. The model's content shows
    /// as `model.content` with short object ids (`model.content: a1b2c3d → e4f5a6b`): the
    /// model file, or a file in the model directory, changed in Git.
    public static func diff(_ old: ResolvedDeployment, _ new: ResolvedDeployment) -> [FieldChange] {
        let a = flatten(old), b = flatten(new)
        return Set(a.keys).union(b.keys).sorted().compactMap { key in
            guard a[key] != b[key] else { return nil }
            if key == contentField {
                let (before, after) = shortDistinct(a[key] ?? "", b[key] ?? "")
                return FieldChange(field: key, old: a[key] == nil ? nil : before, new: b[key] == nil ? nil : after)
            }
            return FieldChange(field: key, old: a[key], new: b[key])
        }
    }

    /// The name `diff` gives `model.contentID`.
    static let contentField = "model.content"

    /// The shortest prefixes of two object ids, seven digits or more, that tell them apart.
    private static func shortDistinct(_ a: String, _ b: String) -> (String, String) {
        var length = 7
        while length < max(a.count, b.count) && a.prefix(length) == b.prefix(length) { length += 1 }
        return (String(a.prefix(length)), String(b.prefix(length)))
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
            if let content = model.contentID { out[contentField] = content }
        }
        for (key, value) in spec.env { out["env.\(key)"] = value }
        for (key, value) in spec.labels { out["metadata.labels.\(key)"] = value }
        if let canary = spec.rollout.canary {
            out["rollout.canary.steps"] = canary.steps.map { "\($0.weight)%/\($0.pauseSeconds)s" }.joined(separator: " ")
            out["rollout.analysis.maxErrorRatio"] = String(canary.analysis.maxErrorRatio)
            out["rollout.analysis.minRequests"] = String(canary.analysis.minRequests)
            if let limit = canary.analysis.maxResponseTimeMillis { out["rollout.analysis.maxResponseTimeMillis"] = String(limit) }
        }
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
