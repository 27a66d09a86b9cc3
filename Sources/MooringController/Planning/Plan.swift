import MooringManifests

/// What the controller knows is running for one deployment, as the planner needs it.
///
/// Stored spec hashes come with the version of the canonical form they were computed
/// with (see `ResolvedDeployment.specHashVersion`): the planner computes the desired
/// spec's hash at that version to compare, so a controller upgrade that extends the
/// canonical form rolls nothing.
public struct ObservedDeployment: Hashable, Sendable {
    public var name: String
    /// The spec currently serving (the last one that rolled out healthy), if any.
    public var applied: ResolvedDeployment?
    /// The stored hash of `applied`, computed at `appliedSpecHashVersion`; `nil` to compute
    /// it from `applied` at that version.
    public var appliedSpecHash: String?
    /// The canonical-form version `appliedSpecHash` was computed with.
    public var appliedSpecHashVersion: Int
    /// A spec hash that failed its rollout and must not be retried until Git changes it.
    public var quarantinedSpecHash: String?
    /// The canonical-form version `quarantinedSpecHash` was computed with.
    public var quarantinedSpecHashVersion: Int
    /// Why it was quarantined.
    public var quarantineReason: String?

    public init(
        name: String, applied: ResolvedDeployment?,
        appliedSpecHash: String? = nil, appliedSpecHashVersion: Int = ResolvedDeployment.specHashVersion,
        quarantinedSpecHash: String? = nil, quarantinedSpecHashVersion: Int = ResolvedDeployment.specHashVersion,
        quarantineReason: String? = nil
    ) {
        self.name = name
        self.applied = applied
        self.appliedSpecHash = appliedSpecHash
        self.appliedSpecHashVersion = appliedSpecHashVersion
        self.quarantinedSpecHash = quarantinedSpecHash
        self.quarantinedSpecHashVersion = quarantinedSpecHashVersion
        self.quarantineReason = quarantineReason
    }
}

/// One field that differs between the applied and the desired spec.
public struct FieldChange: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Dotted path in the resolved spec, such as `model.uri` or `env.LOG_LEVEL`.
    public var field: String
    /// The applied value, `nil` when the field is new.
    public var old: String?
    /// The desired value, `nil` when the field goes away.
    public var new: String?

    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }

    public var description: String { "\(field): \(old ?? "<none>") → \(new ?? "<none>")" }
}

/// What to do with one deployment.
public enum PlanAction: Hashable, Sendable {
    /// Not running yet: start it.
    case create
    /// Its processes must be replaced (a rollout); `changes` says why.
    case update(changes: [FieldChange])
    /// Only the replica count or rollout settings changed: no new processes for the others.
    case scale(from: Int, to: Int, changes: [FieldChange])
    /// Gone from Git: stop it.
    case delete
    /// Nothing to do.
    case noop
    /// The desired spec failed before and is quarantined until Git changes it.
    case quarantined(reason: String)
    /// `spec.suspend: true`: the controller leaves it alone.
    case suspended

    /// A one-word name for tables and JSON.
    public var verb: String {
        switch self {
        case .create: return "create"
        case .update: return "update"
        case .scale: return "scale"
        case .delete: return "delete"
        case .noop: return "no-op"
        case .quarantined: return "quarantined"
        case .suspended: return "suspended"
        }
    }

    /// Whether carrying out the step changes anything on the host.
    public var changesHost: Bool {
        switch self {
        case .create, .update, .scale, .delete: return true
        case .noop, .quarantined, .suspended: return false
        }
    }
}

/// One deployment's step in a plan.
public struct PlanStep: Hashable, Sendable {
    public var name: String
    public var action: PlanAction
    /// The spec to roll out (create, update, scale), or the applied one (delete).
    public var desired: ResolvedDeployment?

    public init(name: String, action: PlanAction, desired: ResolvedDeployment?) {
        self.name = name
        self.action = action
        self.desired = desired
    }
}
