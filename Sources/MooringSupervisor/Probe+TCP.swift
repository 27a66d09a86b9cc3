import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connect to 127.0.0.1:port within the timeout.
enum TCPProbe {
    static func connect(port: Int, timeout: Duration) -> ProbeResult {
        let target = "127.0.0.1:\(port)"
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return ProbeResult(success: false, detail: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc == 0 { return ProbeResult(success: true, detail: "connected to \(target)") }
        guard errno == EINPROGRESS else {
            return ProbeResult(success: false, detail: "connect \(target): \(String(cString: strerror(errno)))")
        }
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&entry, 1, Int32(clamping: timeout.milliseconds))
        guard ready > 0 else { return ProbeResult(success: false, detail: "connect \(target): timed out") }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else {
            return ProbeResult(success: false, detail: "connect \(target): \(String(cString: strerror(error)))")
        }
        return ProbeResult(success: true, detail: "connected to \(target)")
    }
}
