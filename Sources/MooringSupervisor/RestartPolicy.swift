/// Whether a replica that exits is started again (Kubernetes' `restartPolicy`).
public enum RestartPolicy: String, Sendable, Codable, CaseIterable {
    /// Restart after every exit.
    case always = "Always"
    /// Restart after an exit that is not a clean `exit 0` (signals, unknown status and
    /// startup timeouts count as failures).
    case onFailure = "OnFailure"
    /// Never restart.
    case never = "Never"

    /// Whether an exit with `status` (or a startup timeout) leads to a restart.
    public func restarts(after status: ExitStatus, startupTimedOut: Bool) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .onFailure: return startupTimedOut || status.code != 0
        }
    }
}
