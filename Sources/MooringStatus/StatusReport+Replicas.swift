extension StatusReport {
    /// One replica of a deployment, as `status -o wide` and `-o json` show it: where it is
    /// reached (its private address and named ports) and how it stands.
    public struct Replica: Codable, Sendable, Equatable {
        /// Its index within its generation.
        public var index: Int
        /// The generation (one per rollout) it belongs to.
        public var generation: String
        /// Whether its generation is the one serving the applied spec.
        public var serving: Bool
        /// `Pending`, `Starting`, `Running`, `Ready`, `BackOff`, `CrashLoop`, `Exited` or `Stopping`.
        public var phase: String
        public var pid: Int32?
        /// `http://127.0.0.1:PORT` once it has a port.
        public var address: String?
        public var port: Int?
        /// Its named extra ports (`spec.ports`), by name.
        public var ports: [String: Int]

        public init(index: Int, generation: String, serving: Bool, phase: String, pid: Int32?,
                    address: String?, port: Int?, ports: [String: Int]) {
            self.index = index
            self.generation = generation
            self.serving = serving
            self.phase = phase
            self.pid = pid
            self.address = address
            self.port = port
            self.ports = ports
        }
    }
}
