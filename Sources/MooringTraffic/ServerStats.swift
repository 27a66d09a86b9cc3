/// One row of HAProxy's `show stat` (a server, or a frontend/backend aggregate).
public struct ServerStats: Hashable, Sendable {
    public var proxy: String
    public var server: String
    /// Sessions now open (`scur`) and requests queued (`qcur`).
    public var currentSessions: Int
    public var queued: Int
    public var totalSessions: Int
    /// `UP`, `DOWN`, `DRAIN`, `MAINT`, `no check`, … as HAProxy says it.
    public var status: String
    public var weight: Int
    public var responses2xx: Int
    public var responses5xx: Int
    /// Connection errors to the server (`econ`) and failed responses (`eresp`).
    public var connectionErrors: Int
    public var responseErrors: Int
    /// Average response time over the last 1024 requests, milliseconds (`rtime`).
    public var responseTimeMillis: Int
    /// The administrative state set through the runtime API (`srv_admin_state` of
    /// `show servers state`), when known: `status` shows `DOWN` for a server whose check
    /// fails, whatever it was set to.
    public var adminState: TrafficServer.State?
    /// Responses by status class (`1xx` … `5xx`, `other`), as `hrsp_*` counts them.
    public var responsesByClass: [String: Int] = [:]

    /// Responses of every status class (`hrsp_1xx` … `hrsp_5xx` and `hrsp_other`).
    public var responses: Int { responsesByClass.values.reduce(0, +) }

    /// The status classes of ``responsesByClass``, in order.
    public static let responseClasses = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]

    /// Parses `show stat` CSV output (header line `# pxname,svname,…`), by column name.
    public static func parse(_ csv: String) -> [ServerStats] {
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let header = lines.first, header.hasPrefix("# ") else { return [] }
        lines.removeFirst()
        let names = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var column: [String: Int] = [:]
        for (index, name) in names.enumerated() { column[name] = index }
        return lines.compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func text(_ name: String) -> String {
                guard let index = column[name], index < fields.count else { return "" }
                return fields[index]
            }
            func number(_ name: String) -> Int { Int(text(name)) ?? 0 }
            guard !text("pxname").isEmpty else { return nil }
            var byClass: [String: Int] = [:]
            for name in responseClasses { byClass[name] = number("hrsp_\(name)") }
            return ServerStats(
                proxy: text("pxname"), server: text("svname"), currentSessions: number("scur"), queued: number("qcur"),
                totalSessions: number("stot"), status: text("status"), weight: number("weight"),
                responses2xx: number("hrsp_2xx"), responses5xx: number("hrsp_5xx"),
                connectionErrors: number("econ"), responseErrors: number("eresp"), responseTimeMillis: number("rtime"),
                adminState: nil,
                responsesByClass: byClass)
        }
    }

    /// `show servers state` output: each server's administrative state, by
    /// `backend/server`. Bits of `srv_admin_state`: 0x01/0x02/0x20 maintenance
    /// (forced, inherited, resolution), 0x08/0x10 drain (forced, inherited); 0x04 only says
    /// the configuration file started it disabled.
    public static func parseAdminStates(_ text: String) -> [String: TrafficServer.State] {
        var states: [String: TrafficServer.State] = [:]
        var names: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if line.hasPrefix("# ") {
                for (index, name) in fields.dropFirst().enumerated() { names[name] = index }
                continue
            }
            guard let backend = names["be_name"], let server = names["srv_name"], let admin = names["srv_admin_state"],
                  fields.count > max(backend, server, admin), let bits = Int(fields[admin]) else { continue }
            let state: TrafficServer.State = bits & 0x23 != 0 ? .maint : (bits & 0x18 != 0 ? .drain : .ready)
            states["\(fields[backend])/\(fields[server])"] = state
        }
        return states
    }

    /// Whether this row is a server (not the `FRONTEND`/`BACKEND` aggregate).
    public var isServer: Bool { server != "FRONTEND" && server != "BACKEND" }

    /// Nothing in flight and nothing queued: a draining server can go.
    public var isIdle: Bool { currentSessions == 0 && queued == 0 }
}
