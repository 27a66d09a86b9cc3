import Foundation

/// Where the API listens: `ADDR:PORT` (`127.0.0.1:7420`, `[::1]:7420`, `0.0.0.0:7420`) or
/// a Unix socket (an absolute path, optionally written `unix:/PATH`).
/// Port 0 takes a free port; the one bound is what the controller records.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host part, without brackets (empty for a Unix socket).
    public var host: String
    public var port: Int
    /// The Unix socket's absolute path, when the API listens on one.
    public var socketPath: String?

    /// A Unix socket at `path` (absolute).
    public init(socketPath path: String) {
        self.host = ""
        self.port = 0
        self.socketPath = path
    }

    /// The default: loopback, port 7420.
    public static let `default` = ListenAddress(host: "127.0.0.1", port: 7420)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `ADDR:PORT`, `/PATH` or `unix:/PATH`; nil when it is none of them.
    public init?(parsing text: String) {
        let path = text.hasPrefix("unix:") ? String(text.dropFirst("unix:".count)) : text
        if path.hasPrefix("/") {
            // sockaddr_un holds 108 bytes with the terminating NUL.
            guard path.utf8.count < 108, !path.hasSuffix("/") else { return nil }
            self.init(socketPath: path)
            return
        }
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { return nil }
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    /// Whether this is the host's own loopback address, open to local users without a
    /// token: `127.0.0.1`, `::1` or `localhost`. Every other address needs a token — even
    /// another `127.x.y.z`, which a network namespace or a forwarder may expose.
    /// A Unix socket counts as loopback: it is `0600`, so only the controller's user (and
    /// root) can connect.
    public var isLoopback: Bool {
        socketPath != nil || host == "127.0.0.1" || host == "::1" || host == "localhost"
    }

    public var description: String {
        if let socketPath { return "unix:\(socketPath)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `http://HOST:PORT` for `port` (the one bound), or `unix:/PATH` for a socket.
    public func url(port: Int) -> String {
        if let socketPath { return "unix:\(socketPath)" }
        let shown = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host
        return shown.contains(":") ? "http://[\(shown)]:\(port)" : "http://\(shown):\(port)"
    }
}
