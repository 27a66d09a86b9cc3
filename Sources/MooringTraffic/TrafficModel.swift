/// What the data plane should look like: one backend (and frontend) per deployment with a
/// stable endpoint. Built by the controller from its machines after every transition
/// ("level-triggered"): the plane makes HAProxy equal to it, whatever happened before.
public struct TrafficBackend: Hashable, Sendable {
    /// How HAProxy treats the traffic.
    public enum Mode: String, Hashable, Sendable { case http, tcp }

    /// The deployment's name (a DNS label); frontend `fe_<name>`, backend `be_<name>`.
    public var name: String
    public var address: String
    public var port: Int
    public var mode: Mode
    /// `GET` path of the HTTP health check HAProxy runs itself; nil: a TCP connect check.
    public var checkPath: String?
    /// Seconds between HAProxy's own checks, and how many fail / pass to change state.
    public var checkIntervalSeconds: Int
    public var checkFall: Int
    public var checkRise: Int
    public var servers: [TrafficServer]

    public init(name: String, address: String, port: Int, mode: Mode, checkPath: String?,
                checkIntervalSeconds: Int = 1, checkFall: Int = 3, checkRise: Int = 1, servers: [TrafficServer]) {
        self.name = name
        self.address = address
        self.port = port
        self.mode = mode
        self.checkPath = checkPath
        self.checkIntervalSeconds = checkIntervalSeconds
        self.checkFall = checkFall
        self.checkRise = checkRise
        self.servers = servers
    }

    public var frontendName: String { "fe_\(name)" }
    public var backendName: String { "be_\(name)" }

    /// What needs a reload when it changes (the listener and the backend's settings);
    /// servers change through the runtime API.
    public var listener: Listener {
        Listener(name: name, address: address, port: port, mode: mode, checkPath: checkPath,
                 checkIntervalSeconds: checkIntervalSeconds, checkFall: checkFall, checkRise: checkRise)
    }

    /// The parts of a backend that live in the configuration file.
    public struct Listener: Hashable, Sendable {
        public var name: String
        public var address: String
        public var port: Int
        public var mode: Mode
        public var checkPath: String?
        public var checkIntervalSeconds: Int
        public var checkFall: Int
        public var checkRise: Int
    }
}

/// One replica in a backend. Its name (`<generation>-<index>`) is its identity in HAProxy.
public struct TrafficServer: Hashable, Sendable {
    /// HAProxy's administrative state for it.
    public enum State: String, Hashable, Sendable {
        /// In rotation (when its health check passes).
        case ready
        /// No new requests; the ones in flight finish.
        case drain
        /// Out of rotation (not ready yet, or unhealthy per the supervisor).
        case maint
    }

    public var name: String
    public var port: Int
    public var state: State
    /// 0–256; relative share of requests among ready servers.
    public var weight: Int

    public init(name: String, port: Int, state: State, weight: Int = 100) {
        self.name = name
        self.port = port
        self.state = state
        self.weight = weight
    }
}
