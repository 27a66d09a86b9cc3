import Foundation

/// Everything the supervisor needs to run one replica.
public struct ReplicaSpec: Sendable, Hashable {
    /// The command line. `argv[0]` is looked up in `PATH` (the spec's, else the supervisor's)
    /// unless it contains a `/`; a relative path is taken relative to `workingDirectory`.
    /// `{{port}}` in any argument is replaced by `port`.
    public var arguments: [String]
    /// Added to (and overriding) the supervisor's own environment — or, with
    /// `inheritsEnvironment` false, the whole environment; `PORT` is set to `port`.
    public var environment: [String: String]
    /// Whether the process also gets the supervisor's environment. The controller turns
    /// this off so its own variables (credentials) never reach a model process.
    public var inheritsEnvironment: Bool
    /// The directory the process starts in.
    public var workingDirectory: String
    /// The port the replica serves on (from `Supervisor.allocatePort()`).
    public var port: Int
    /// Its named extra ports (`grpc` → 20003), also from the range: handed out, and
    /// given back, together with `port`.
    public var namedPorts: [String: Int] = [:]
    /// How health is probed.
    public var health: HealthCheck
    /// Probe timings.
    public var probe: ProbePolicy
    /// Whether an exited replica is started again.
    public var restart: RestartPolicy
    /// Restart delays and crash-loop detection.
    public var backoff: BackoffPolicy
    /// How long a stopping replica gets between SIGTERM and SIGKILL.
    public var gracePeriod: Duration
    /// Where stdout and stderr are appended (conventionally `<state>/logs/<deployment>/<replica>.log`).
    public var logFile: URL
    /// The log is rotated before a (re)start once it is larger than this many bytes.
    public var logRotateBytes: Int
    /// How many rotated logs (`.1` … `.n`) are kept.
    public var logKeep: Int

    /// Creates a spec; the defaults follow DESIGN.md.
    public init(
        arguments: [String],
        environment: [String: String] = [:],
        workingDirectory: String,
        port: Int,
        health: HealthCheck = .none,
        probe: ProbePolicy = ProbePolicy(),
        restart: RestartPolicy = .always,
        backoff: BackoffPolicy = BackoffPolicy(),
        gracePeriod: Duration = .seconds(30),
        logFile: URL,
        logRotateBytes: Int = 10 * 1024 * 1024,
        logKeep: Int = 3,
        inheritsEnvironment: Bool = true
    ) {
        self.inheritsEnvironment = inheritsEnvironment
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.port = port
        self.health = health
        self.probe = probe
        self.restart = restart
        self.backoff = backoff
        self.gracePeriod = gracePeriod
        self.logFile = logFile
        self.logRotateBytes = logRotateBytes
        self.logKeep = logKeep
    }

    /// `port` and every named port: what the replica holds of the range.
    public var allPorts: [Int] { [port] + namedPorts.values.sorted() }
}
