import MooringStatus

extension Mooring.Status {
    /// `-o wide`: below the deployments, one row per replica — its generation, phase, pid,
    /// private address and named ports (`grpc=20003,metrics=20004`).
    func renderReplicas(_ report: StatusReport) -> [String] {
        var rows: [[String]] = []
        for deployment in report.deployments {
            for replica in deployment.replicaDetails ?? [] {
                let generation: String = String(replica.generation.prefix(12)) + (replica.serving ? " (serving)" : "")
                let pid: String = replica.pid.map { String($0) } ?? "-"
                rows.append([deployment.name, String(replica.index), generation, replica.phase, pid,
                             replica.address ?? "-", Self.portList(replica.ports)])
            }
        }
        guard !rows.isEmpty else { return ["", "no replicas"] }
        return ["", renderTable(["DEPLOYMENT", "REPLICA", "GENERATION", "PHASE", "PID", "ADDRESS", "PORTS"], rows)]
    }

    /// `grpc=20003,metrics=20004`, or `-`.
    static func portList(_ ports: [String: Int]) -> String {
        guard !ports.isEmpty else { return "-" }
        let items: [String] = ports.keys.sorted().map { name in "\(name)=\(ports[name] ?? 0)" }
        return items.joined(separator: ",")
    }
}
