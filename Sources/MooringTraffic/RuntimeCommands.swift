/// The runtime-API commands that take one backend from what HAProxy reports to what is
/// wanted: add the servers it lacks, set the state and weight of the others, take out
/// and delete the ones no longer wanted. Pure, so it is tested without HAProxy.
public enum RuntimeCommands {
    public static func plan(_ backend: TrafficBackend, current rows: [ServerStats]) -> [String] {
        let be = backend.backendName
        let current = Dictionary(rows.filter { $0.proxy == be && $0.isServer }.map { ($0.server, $0) },
                                 uniquingKeysWith: { first, _ in first })
        var commands: [String] = []
        for server in backend.servers.sorted(by: { $0.name < $1.name }) {
            let target = "\(be)/\(server.name)"
            guard let row = current[server.name] else {
                commands.append("add server \(target) \(HAProxyConfig.serverAddress(server)) \(HAProxyConfig.checkOptions(backend)) weight \(server.weight)")
                commands.append("enable health \(target)")
                commands.append("set server \(target) state \(server.state.rawValue)")
                continue
            }
            if state(of: row) != server.state {
                commands.append("set server \(target) state \(server.state.rawValue)")
            }
            if server.state == .ready, row.weight != server.weight, state(of: row) == .ready {
                commands.append("set weight \(target) \(server.weight)")
            }
        }
        let wanted = Set(backend.servers.map(\.name))
        for name in current.keys.sorted() where !wanted.contains(name) {
            if let row = current[name], state(of: row) != .maint {
                commands.append("set server \(be)/\(name) state maint")
            }
            commands.append("del server \(be)/\(name)")
        }
        return commands
    }

    /// The servers of `backend` that HAProxy does not carry as wanted yet: `ready` ones it
    /// lacks, has in another state, or weighs otherwise (by name, sorted). Empty once the
    /// runtime commands of ``plan(_:current:)`` for them took effect — a canary step's
    /// numbers count from there.
    public static func notYetCarried(_ backend: TrafficBackend, current rows: [ServerStats]) -> [String] {
        let be = backend.backendName
        let current = Dictionary(rows.filter { $0.proxy == be && $0.isServer }.map { ($0.server, $0) },
                                 uniquingKeysWith: { first, _ in first })
        return backend.servers.filter { server in
            guard server.state == .ready else { return false }
            guard let row = current[server.name] else { return true }
            return state(of: row) != .ready || row.weight != server.weight
        }.map(\.name).sorted()
    }

    /// The administrative state of a server: from `show servers state` when known, else
    /// what its `show stat` status word means.
    public static func state(of row: ServerStats) -> TrafficServer.State {
        if let admin = row.adminState { return admin }
        let status = row.status.uppercased()
        if status.hasPrefix("MAINT") { return .maint }
        if status.hasPrefix("DRAIN") { return .drain }
        return .ready
    }
}
