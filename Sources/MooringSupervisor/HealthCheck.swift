/// How the supervisor decides a replica is healthy.
public enum HealthCheck: Sendable, Hashable {
    /// HTTP GET `scheme://127.0.0.1:port/path` through libcurl; 2xx and 3xx are success.
    case http(path: String, port: Int, scheme: String = "http")
    /// A TCP connection to `127.0.0.1:port` is accepted.
    case tcp(port: Int)
    /// The command (argv) exits with status 0 within the probe timeout.
    case exec(command: [String])
    /// No probe: the replica is ready as soon as it has started.
    case none
}

/// Timings of health probes (Kubernetes' meanings).
///
/// A replica starts in a startup phase, probed every `startupPeriod`, until
/// `successThreshold` probes in a row succeed (it becomes `ready`) or `startupTimeout`
/// passes (it is stopped and counted as a failure). After that it is probed every `period`;
/// `failureThreshold` failures in a row make it unready, `successThreshold` successes in a
/// row make it ready again.
public struct ProbePolicy: Sendable, Hashable {
    /// How long a replica may take to become healthy after it starts.
    public var startupTimeout: Duration
    /// The interval between probes once the replica has started.
    public var period: Duration
    /// The interval between probes during the startup phase.
    public var startupPeriod: Duration
    /// How long one probe may take before it counts as failed.
    public var timeout: Duration
    /// Failures in a row that make a ready replica unready.
    public var failureThreshold: Int
    /// Successes in a row that make a replica ready.
    public var successThreshold: Int

    /// Creates a policy; the defaults are DESIGN.md's.
    public init(
        startupTimeout: Duration = .seconds(600),
        period: Duration = .seconds(10),
        startupPeriod: Duration = .seconds(1),
        timeout: Duration = .seconds(1),
        failureThreshold: Int = 3,
        successThreshold: Int = 1
    ) {
        self.startupTimeout = startupTimeout
        self.period = period
        self.startupPeriod = startupPeriod
        self.timeout = timeout
        self.failureThreshold = max(1, failureThreshold)
        self.successThreshold = max(1, successThreshold)
    }
}
