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
/// A replica starts in a startup phase, until `successThreshold` probes in a row succeed
/// (it becomes `ready`) or `startupTimeout` passes (it is stopped and counted as a
/// failure). The first startup probe runs at once, the next after `startupPeriod`, and
/// every further interval is 1.5 times the last, up to `period`: a server that listens
/// after a moment is ready within a fraction of a second, one that loads a model for
/// minutes is not probed more often than every `period`. Once ready it is probed every
/// `period`; `failureThreshold` failures in a row make it unready, `successThreshold`
/// successes in a row make it ready again.
public struct ProbePolicy: Sendable, Hashable {
    /// How much each startup interval grows over the one before (capped at `period`).
    static let startupGrowth = 1.5

    /// How long a replica may take to become healthy after it starts.
    public var startupTimeout: Duration
    /// The interval between probes once the replica has become ready.
    public var period: Duration
    /// The first interval between probes during the startup phase; later ones grow by half
    /// each time, up to `period`.
    public var startupPeriod: Duration
    /// How long one probe may take before it counts as failed.
    public var timeout: Duration
    /// Failures in a row that make a ready replica unready.
    public var failureThreshold: Int
    /// Successes in a row that make a replica ready.
    public var successThreshold: Int

    /// Creates a policy; the defaults are DESIGN.md's, with startup probes from 100 ms.
    public init(
        startupTimeout: Duration = .seconds(600),
        period: Duration = .seconds(10),
        startupPeriod: Duration = .milliseconds(100),
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

    /// The startup intervals in order: `startupPeriod` (at most `period`), then each one
    /// 1.5 times the last, never more than `period`.
    func startupInterval(after previous: Duration?) -> Duration {
        guard let previous else { return min(startupPeriod, period) }
        return min(period, previous * Self.startupGrowth)
    }
}
