#if canImport(Glibc)
import Glibc
#endif

/// `spec.endpoint`: the stable address clients use. Replicas keep private ports from the
/// port range; the data plane (HAProxy, see docs/traffic.md) listens here and forwards to
/// the replicas in rotation. A data-plane setting: changing it moves no replica process.
public struct StableEndpoint: Hashable, Sendable, Codable {
    /// What the endpoint speaks: `http` (HAProxy's HTTP mode: per-request balancing,
    /// status codes in its statistics) or `tcp` (connections passed through).
    public enum TrafficProtocol: String, Hashable, Sendable, Codable, CaseIterable {
        case http
        case tcp
    }

    /// The host port clients connect to; unique across the repository.
    public var port: Int
    /// The address it listens on (default `127.0.0.1`).
    public var address: String
    /// `http` (default) or `tcp`.
    public var `protocol`: TrafficProtocol

    public init(port: Int, address: String = StableEndpoint.defaultAddress, protocol: TrafficProtocol = .http) {
        self.port = port
        self.address = address
        self.protocol = `protocol`
    }

    /// Loopback unless the manifest says otherwise: anything else is an explicit choice.
    public static let defaultAddress = "127.0.0.1"

    /// How a client reaches it, as `status` shows it: `http://127.0.0.1:8080` or
    /// `tcp://127.0.0.1:9000` (IPv6 addresses in brackets).
    public var url: String {
        let host = address.contains(":") ? "[\(address)]" : address
        return "\(`protocol`.rawValue)://\(host):\(port)"
    }

    /// Whether `text` is a numeric IPv4 or IPv6 address (names are not accepted: what a
    /// name resolves to can change under a running proxy).
    public static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

/// `spec.endpoint` as written, with where each part is.
public struct EndpointFragment: Hashable, Sendable {
    public var port: Located<Int>
    public var address: Located<String>?
    public var `protocol`: StableEndpoint.TrafficProtocol?

    public init(port: Located<Int>, address: Located<String>? = nil, protocol: StableEndpoint.TrafficProtocol? = nil) {
        self.port = port
        self.address = address
        self.protocol = `protocol`
    }

    /// The endpoint with defaults applied.
    public var resolved: StableEndpoint {
        StableEndpoint(port: port.value, address: address?.value ?? StableEndpoint.defaultAddress,
                       protocol: `protocol` ?? .http)
    }
}
