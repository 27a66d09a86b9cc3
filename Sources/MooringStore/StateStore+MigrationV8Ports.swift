extension StateStore {
    /// Migration "v8-ports": a replica's named extra ports (`spec.ports`), as a JSON object
    /// of name → port (`{"grpc": 20003}`), recorded with its main port so a restarted
    /// controller adopts them and hands them out to nobody else. Rows from before carry `{}`.
    static let v8PortsSchema = """
        ALTER TABLE replica ADD COLUMN ports TEXT NOT NULL DEFAULT '{}'
            CONSTRAINT replica_ports_json_object CHECK (json_valid(ports) AND json_type(ports) = 'object');
        """
}
