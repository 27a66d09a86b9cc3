import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Supervisor {
    /// Hands out a port from the range that is not handed out already and that a server
    /// setting `SO_REUSEADDR` (as nearly all do) could bind right now on both 127.0.0.1
    /// and 0.0.0.0. It stays handed out until the replica using it is stopped or released
    /// (or `releasePort(_:)`).
    ///
    /// Throws `SupervisorError` `.noFreePort` when every port is taken right now: a
    /// *waiting* condition (`isWaiting`), not a fault of the spec — retry once replicas
    /// have been stopped.
    public func allocatePort() throws -> Int {
        let count = portRange.count
        for offset in 0..<count {
            let index = (portCursor + offset) % count
            let port = portRange.lowerBound + index
            guard !allocatedPorts.contains(port), Self.canBind(port) else { continue }
            allocatedPorts.insert(port)
            portCursor = (index + 1) % count
            return port
        }
        let handedOut = allocatedPorts.filter { portRange.contains($0) }.count
        throw SupervisorError(
            .noFreePort,
            "no free port in \(portRange.lowerBound)-\(portRange.upperBound) right now (\(handedOut) of \(count) handed out "
                + "to replicas, the rest in use by other programs): waiting for ports to be freed; "
                + "stop unused deployments or widen the port range")
    }

    /// Gives back a port from `allocatePort()` that was not used for a replica.
    public func releasePort(_ port: Int) {
        allocatedPorts.remove(port)
    }

    /// Whether `port` can be bound on 127.0.0.1 and on 0.0.0.0 with `SO_REUSEADDR`, as a
    /// replica's server binds it. So a port whose connections linger in TIME_WAIT (a
    /// replica just stopped) counts as free; a port with a listener, or a socket bound
    /// without `SO_REUSEADDR` (an outgoing connection, a server that does not set it),
    /// counts as busy.
    static func canBind(_ port: Int) -> Bool {
        for address in ["127.0.0.1", "0.0.0.0"] {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var one: Int32 = 1
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                return false
            }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            sin.sin_addr.s_addr = inet_addr(address)
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if rc != 0 { return false }
        }
        return true
    }
}
