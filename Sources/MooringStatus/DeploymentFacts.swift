/// Everything ``StatusSummary`` needs to know about one deployment: facts recorded by the
/// controller (desired, applied, quarantine, rollout phase, replicas) and facts observed by
/// whoever reads them (whether the controller runs, whether recorded pids are alive).
public struct DeploymentFacts: Sendable, Equatable {
    /// A rollout under way (or failed and kept, without `autoRollback`).
    public struct Rollout: Sendable, Equatable {
        public var phase: RolloutPhase
        public var kind: RolloutKind
        /// The commit being rolled out.
        public var revision: String
        /// What the current phase waits on, in words ("replica 0 ready, 3s of 10s healthy").
        public var detail: String?
        /// Why it failed, once it did.
        public var failure: String?

        public init(phase: RolloutPhase, kind: RolloutKind, revision: String, detail: String? = nil, failure: String? = nil) {
            self.phase = phase
            self.kind = kind
            self.revision = revision
            self.detail = detail
            self.failure = failure
        }
    }

    /// One replica of the serving generation.
    public struct Replica: Sendable, Equatable {
        public var index: Int
        public var phase: ReplicaPhase
        public var pid: Int32?
        /// Whether the recorded process is alive: `nil` when nobody checked (the controller
        /// watches its processes itself), `false` when a reader found it gone.
        public var alive: Bool?
        public var restarts: Int
        /// The last exit in words (`exit code 3`, `signal 9 (SIGKILL)`).
        public var lastExit: String?

        public init(index: Int, phase: ReplicaPhase, pid: Int32? = nil, alive: Bool? = nil, restarts: Int = 0, lastExit: String? = nil) {
            self.index = index
            self.phase = phase
            self.pid = pid
            self.alive = alive
            self.restarts = restarts
            self.lastExit = lastExit
        }
    }

    public var name: String
    public var desiredRevision: String
    public var desiredSpecHash: String
    public var appliedSpecHash: String?
    public var appliedRevision: String?
    /// Replicas the applied spec asks for.
    public var appliedReplicas: Int
    /// `spec.suspend` in Git, or `mooring suspend`.
    public var suspended: Bool
    /// Removed from Git; its replicas are being stopped.
    public var removing: Bool
    /// The quarantined spec hash and why it failed.
    public var quarantinedSpecHash: String?
    public var quarantineReason: String?
    public var rollout: Rollout?
    /// Replicas of the serving generation.
    public var serving: [Replica]
    /// Set when the tip commit was rejected and would have changed this deployment:
    /// `commit abc1234 rejected: file:line:column: message`.
    public var rejection: String?
    /// Whether a controller holds the state directory.
    public var controllerRunning: Bool
    /// What keeps the stable endpoint from being served (HAProxy missing, its
    /// configuration rejected, the port taken), as the data plane last reported it.
    public var endpointProblem: String?

    public init(
        name: String, desiredRevision: String, desiredSpecHash: String,
        appliedSpecHash: String? = nil, appliedRevision: String? = nil, appliedReplicas: Int = 0,
        suspended: Bool = false, removing: Bool = false,
        quarantinedSpecHash: String? = nil, quarantineReason: String? = nil,
        rollout: Rollout? = nil, serving: [Replica] = [], rejection: String? = nil,
        controllerRunning: Bool = true, endpointProblem: String? = nil
    ) {
        self.endpointProblem = endpointProblem
        self.name = name
        self.desiredRevision = desiredRevision
        self.desiredSpecHash = desiredSpecHash
        self.appliedSpecHash = appliedSpecHash
        self.appliedRevision = appliedRevision
        self.appliedReplicas = appliedReplicas
        self.suspended = suspended
        self.removing = removing
        self.quarantinedSpecHash = quarantinedSpecHash
        self.quarantineReason = quarantineReason
        self.rollout = rollout
        self.serving = serving
        self.rejection = rejection
        self.controllerRunning = controllerRunning
    }
}
