/// The parts of a deployment spec that a ServingRuntime can also give, as written:
/// every field optional, so a deployment can override a runtime field by field and
/// defaults fill in the rest.

/// `spec.model` as written.
public struct ModelSource: Hashable, Sendable {
    /// A path inside the repository at the revision being applied.
    public var uri: Located<String>?
    /// Expected SHA-256 of the model file (64 hex characters), optional for repository paths.
    public var sha256: Located<String>?
    /// Free text shown by `mooring status`.
    public var version: String?
    /// `insecure: true` allows `http://` to a host that is not loopback.
    public var insecure: Located<Bool>?
    /// How long fetching a remote artifact may take (`Preparing`), in seconds.
    public var downloadDeadlineSeconds: Int?

    public init(uri: Located<String>? = nil, sha256: Located<String>? = nil, version: String? = nil) {
        self.uri = uri
        self.sha256 = sha256
        self.version = version
    }
}

/// Which health probe a process gets.
public enum ProbeAction: Hashable, Sendable, Codable {
    /// HTTP GET on the replica's port (or `port`); 2xx and 3xx are healthy.
    case http(path: String, port: Int?, scheme: String)
    /// A TCP connect to the replica's port (or `port`).
    case tcp(port: Int?)
    /// A command; exit status 0 is healthy.
    case exec(command: [String])
}

/// `spec.health` as written.
public struct HealthFragment: Hashable, Sendable {
    public var action: ProbeAction?
    public var startupTimeoutSeconds: Int?
    public var periodSeconds: Int?
    public var timeoutSeconds: Int?
    public var failureThreshold: Int?
    public var successThreshold: Int?

    public init() {}
}

/// `spec.restart.backoff` as written.
public struct BackoffFragment: Hashable, Sendable {
    public var initialSeconds: Double?
    public var maxSeconds: Double?
    public var resetAfterSeconds: Double?
    public init() {}
}

/// `spec.restart` as written.
public struct RestartFragment: Hashable, Sendable {
    public var policy: RestartPolicy?
    public var backoff: BackoffFragment = BackoffFragment()
    public init() {}
}

/// `spec.rollout` as written.
public struct RolloutFragment: Hashable, Sendable {
    public var strategy: RolloutStrategy?
    public var minHealthySeconds: Int?
    public var progressDeadlineSeconds: Int?
    public var autoRollback: Bool?
    /// `canary` (its steps), nil when not written.
    public var canary: CanaryFragment?
    /// `analysis`, nil when not written.
    public var analysis: AnalysisFragment?
    /// Where `strategy` is written, if it is.
    public var strategyPosition: SourcePosition?
    public init() {}
}

/// `spec.stop` as written.
public struct StopFragment: Hashable, Sendable {
    public var gracePeriodSeconds: Int?
    public init() {}
}

/// How a deployment's replicas are replaced when its spec changes.
public enum RolloutStrategy: String, Hashable, Sendable, Codable, CaseIterable {
    /// Start the new replicas, wait until healthy for `minHealthySeconds`, then stop the old ones.
    case surge = "Surge"
    /// Stop the old replicas, then start the new ones.
    case recreate = "Recreate"
}

/// When an exited replica is started again.
public enum RestartPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    case always = "Always"
    case onFailure = "OnFailure"
    case never = "Never"
}
