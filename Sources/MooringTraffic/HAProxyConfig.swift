/// Renders `haproxy.cfg` for the controller's HAProxy (docs/traffic.md explains every line).
///
/// Master-worker mode, so a reload (SIGUSR2 to the master) keeps the master's pid and
/// passes the listening sockets to the new worker (`expose-fd listeners`): no connection is
/// refused while it happens, and the old worker finishes the requests it holds. Servers are
/// written with the state they should have, so a reload (or a restart) starts from the
/// desired picture; between reloads the runtime API changes them.
public enum HAProxyConfig {
    /// Inactivity limits for client and server sides: long enough for a slow generation
    /// or a stream of tokens with pauses (each byte resets them).
    public static let idleTimeoutSeconds = 300
    /// How long an old worker may keep serving requests in flight after a reload.
    public static let hardStopAfterSeconds = 1800

    /// The configuration for `backends`, with the admin socket at `socketPath`.
    public static func render(_ backends: [TrafficBackend], socketPath: String) -> String {
        var lines: [String] = [
            "# Written by mooring; changes are overwritten. See docs/traffic.md.",
            "global",
            "    master-worker",
            "    stats socket \(socketPath) mode 600 level admin expose-fd listeners",
            "    stats timeout 30s",
            "    hard-stop-after \(hardStopAfterSeconds)s",
            "    log stderr format short local0 notice",
            "",
            "defaults",
            "    log global",
            "    option dontlognull",
            "    timeout connect 5s",
            "    timeout client \(idleTimeoutSeconds)s",
            "    timeout server \(idleTimeoutSeconds)s",
            "    timeout tunnel \(idleTimeoutSeconds)s",
            "    timeout http-request 30s",
            "    timeout http-keep-alive 15s",
            "    timeout queue 30s",
            "    timeout check 2s",
            "    retries 3",
            "    option redispatch 1",
        ]
        for backend in backends.sorted(by: { $0.name < $1.name }) {
            let mode = backend.mode.rawValue
            lines += [
                "",
                "frontend \(backend.frontendName)",
                "    mode \(mode)",
                "    bind \(bindAddress(backend.address)):\(backend.port)",
                "    default_backend \(backend.backendName)",
                "",
                "backend \(backend.backendName)",
                "    mode \(mode)",
                "    balance roundrobin",
            ]
            if backend.mode == .http {
                lines.append("    retry-on conn-failure empty-response")
                if let path = backend.checkPath { lines.append("    option httpchk GET \(path)") }
            }
            for server in backend.servers.sorted(by: { $0.name < $1.name }) {
                var line = "    server \(server.name) \(serverAddress(server)) \(checkOptions(backend))"
                switch server.state {
                case .ready: line += " weight \(server.weight)"
                case .drain: line += " weight 0"
                case .maint: line += " weight \(server.weight) disabled"
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The health-check options of every server of `backend` (also given to `add server`).
    public static func checkOptions(_ backend: TrafficBackend) -> String {
        "check inter \(backend.checkIntervalSeconds)s fall \(backend.checkFall) rise \(backend.checkRise)"
    }

    static func serverAddress(_ server: TrafficServer) -> String { "127.0.0.1:\(server.port)" }

    static func bindAddress(_ address: String) -> String {
        address.contains(":") ? "[\(address)]" : address
    }
}
