import GRDB

/// Whether a deployment's running spec matches what Git wants (Argo CD's sync status).
public enum DeploymentSync: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Applied spec and revision equal the desired ones.
    case synced = "Synced"
    /// Git wants something other than what is applied.
    case outOfSync = "OutOfSync"
    /// Not known yet (e.g. right after the controller starts).
    case unknown = "Unknown"
}

/// How a deployment's replicas are doing (Argo CD's health status).
public enum DeploymentHealth: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
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
public enum RolloutOutcome: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
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
public enum EventType: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Routine: something happened as intended.
    case normal = "Normal"
    /// Something an operator should look at.
    case warning = "Warning"
}
