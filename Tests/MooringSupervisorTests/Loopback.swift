import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// TCP sockets on 127.0.0.1, for tests that look at ports the way a server would.
enum Loopback {
    /// A new TCP socket, optionally with `SO_REUSEADDR` (as most servers set it).
    static func socket(reuseAddress: Bool) -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if reuseAddress, fd >= 0 {
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    static func address(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func bind(_ fd: Int32, _ port: Int) -> Bool {
        var sin = address(port)
        return withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    static func connect(_ fd: Int32, _ port: Int) -> Bool {
        var sin = address(port)
        return withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    /// Whether something accepts TCP connections on `port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(reuseAddress: false)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return connect(fd, port)
    }

    /// Whether a server that sets `SO_REUSEADDR` (as nearly all do) could listen on `port`.
    static func serverCouldListen(on port: Int) -> Bool {
        let fd = socket(reuseAddress: true)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bind(fd, port) && listen(fd, 1) == 0
    }

    /// Leaves a connection in TIME_WAIT on `port`, as a model server does after answering
    /// a probe and closing first: listen (with `SO_REUSEADDR`), accept one connection,
    /// close it from the server side, then close the client and the listener. Returns
    /// false when the port could not be listened on.
    static func leaveTimeWait(on port: Int) -> Bool {
        let listener = socket(reuseAddress: true)
        guard listener >= 0 else { return false }
        defer { close(listener) }
        guard bind(listener, port), listen(listener, 1) == 0 else { return false }
        let client = socket(reuseAddress: false)
        guard client >= 0 else { return false }
        defer { close(client) }
        guard connect(client, port) else { return false }
        let accepted = accept(listener, nil, nil)
        guard accepted >= 0 else { return false }
        close(accepted)  // the server closes first: its end goes to TIME_WAIT
        var byte: UInt8 = 0
        _ = read(client, &byte, 1)  // the client sees the close (EOF) before closing too
        return true
    }

    /// The TCP states (as `/proc/net/tcp` spells them: `06` is TIME_WAIT, `0A` LISTEN) of
    /// every socket on 127.0.0.1 or 0.0.0.0 whose local port is `port`.
    static func states(of port: Int) -> [String] {
        let table = readAll("/proc/net/tcp")
        let suffix = ":" + String(format: "%04X", port)
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[1].hasSuffix(suffix) else { return nil }
            return String(fields[3])
        }
    }

    /// The whole of a `/proc` file. (Foundation's readers stop after the first 4 KiB of
    /// a `/proc` table, which has no size to go by.)
    static func readAll(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
