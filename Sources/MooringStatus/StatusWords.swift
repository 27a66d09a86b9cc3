/// Whether a deployment's running spec matches what Git wants (Argo CD's sync status).
public enum DeploymentSync: String, Sendable, Codable, CaseIterable {
    /// Applied spec and revision equal the desired ones.
    case synced = "Synced"
    /// Git wants something other than what is applied.
    case outOfSync = "OutOfSync"
    /// Not known yet (e.g. right after the controller starts).
    case unknown = "Unknown"
}

/// How a deployment's replicas are doing (Argo CD's health status).
public enum DeploymentHealth: String, Sendable, Codable, CaseIterable {
    /// Every desired replica passes its health checks.
    case healthy = "Healthy"
    /// A rollout or start is under way and has not reached its deadline.
    case progressing = "Progressing"
    /// Something failed; the deployment's message says what.
    case degraded = "Degraded"
    /// `spec.suspend` or `mooring suspend`: the controller leaves it alone.
    case suspended = "Suspended"
    /// Nothing is running for it.
    case missing = "Missing"
    /// Not known yet.
    case unknown = "Unknown"
}

/// How a rollout ended, or that it has not ended yet.
public enum RolloutOutcome: String, Sendable, Codable, CaseIterable {
    /// Still running.
    case inProgress = "InProgress"
    /// The new spec is serving and healthy.
    case succeeded = "Succeeded"
    /// The new spec failed and nothing was restored.
    case failed = "Failed"
    /// The new spec failed and the previous one was kept or restored.
    case rolledBack = "RolledBack"
    /// A newer rollout of the same deployment started before this one finished.
    case superseded = "Superseded"
}

/// The severity of an event, as in Kubernetes.
public enum EventType: String, Sendable, Codable, CaseIterable {
    /// Routine: something happened as intended.
    case normal = "Normal"
    /// Something an operator should look at.
    case warning = "Warning"
}

/// Where a rollout is. Persisted on every transition, so a restarted controller resumes a
/// rollout at its phase. Surge: `starting → gating → testing → canary → promoting →
/// draining → done` (`testing` and `canary` only when the spec has model tests or canary
/// steps); Recreate drains first: `draining → starting → gating → done`; a failure goes
/// `rollingBack → failed`.
public enum RolloutPhase: String, Sendable, Codable, CaseIterable {
    /// Getting what the new replicas need before anything starts or stops (revision
    /// export; model downloads later).
    case preparing = "Preparing"
    /// New replicas are being spawned.
    case starting = "Starting"
    /// New replicas are running; waiting until every one is ready for `minHealthySeconds`.
    case gating = "Gating"
    /// The new replicas are healthy; the deployment's model tests (`spec.tests`) run
    /// against each of them before they take traffic.
    case testing = "Testing"
    /// The new replicas passed the gate and take over (traffic shifts here).
    case promoting = "Promoting"
    /// Traffic moves to the new replicas in weighted steps (`spec.rollout.canary`), each
    /// step analysed before the next; the old replicas serve the rest until the promotion.
    case canary = "Canary"
    /// Replicas of other generations are being stopped.
    case draining = "Draining"
    /// The new spec serves; the rollout is over.
    case done = "Done"
    /// The new spec failed; its replicas are being stopped (the previous spec keeps or
    /// gets its replicas back).
    case rollingBack = "RollingBack"
    /// The new spec failed; the rollout is over and the spec is quarantined.
    case failed = "Failed"

    /// Whether the rollout has ended in this phase.
    public var isTerminal: Bool { self == .done || self == .failed }
}

/// How a rollout replaces replicas.
public enum RolloutKind: String, Sendable, Codable, CaseIterable {
    /// Start the new replicas, gate them, then stop the old ones.
    case surge = "Surge"
    /// Stop the old replicas, then start and gate the new ones (downtime by design).
    case recreate = "Recreate"
    /// Only the replica count or rollout settings changed: existing replicas stay.
    case scale = "Scale"
}

/// Where one replica is in its life, as the controller records it. The supervisor's
/// states plus two of the controller's own: `Pending` (recorded, not spawned yet) and
/// `Stopping` (a stop was asked for).
public enum ReplicaPhase: String, Sendable, Codable, CaseIterable {
    /// Recorded before the spawn: the journal entry recovery finishes.
    case pending = "Pending"
    /// Spawned, not yet healthy.
    case starting = "Starting"
    /// Alive but not passing its probe (adopted and not probed yet, or failing).
    case running = "Running"
    /// Alive and passing its health probe.
    case ready = "Ready"
    /// Exited; waiting out the restart backoff.
    case backoff = "BackOff"
    /// Exiting quickly again and again (still restarted with backoff).
    case crashLoop = "CrashLoop"
    /// Exited and not restarted by its policy.
    case exited = "Exited"
    /// A stop was asked for (SIGTERM, grace period, SIGKILL).
    case stopping = "Stopping"

    /// Whether a process of this replica is meant to be alive.
    public var expectsProcess: Bool {
        switch self {
        case .starting, .running, .ready, .stopping: return true
        case .pending, .backoff, .crashLoop, .exited: return false
        }
    }
}

/// A message to the running controller, left in the state store's request queue by a
/// command (`mooring sync --retry`, `suspend`, `resume`) and consumed by the controller,
/// the only writer of deployment records.
public enum IntentAction: String, Sendable, Codable, CaseIterable {
    /// Fetch and reconcile now.
    case sync = "Sync"
    /// Lift the quarantine of a deployment's failed spec and try it again.
    case retry = "Retry"
    /// Leave a deployment as it runs and ignore Git for it until resumed.
    case suspend = "Suspend"
    /// Undo `suspend`.
    case resume = "Resume"
    /// A replica start journaled by the first schema's controller (closed at start-up).
    case startReplica = "StartReplica"
    /// A replica stop journaled by the first schema's controller (closed at start-up).
    case stopReplica = "StopReplica"
}
