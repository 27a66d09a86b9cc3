import Foundation

/// Where the API listens: `ADDR:PORT` (`127.0.0.1:7420`, `[::1]:7420`, `0.0.0.0:7420`).
/// Port 0 takes a free port; the one bound is what the controller records.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host part, without brackets.
    public var host: String
    public var port: Int

    /// The default: loopback, port 7420.
    public static let `default` = ListenAddress(host: "127.0.0.1", port: 7420)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `ADDR:PORT`; nil when it is not one.
    public init?(parsing text: String) {
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
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost"
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `http://HOST:PORT` for `port` (the one bound).
    public func url(port: Int) -> String {
        let shown = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host
        return shown.contains(":") ? "http://[\(shown)]:\(port)" : "http://\(shown):\(port)"
    }
}
