import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client of HAProxy's runtime API (the `stats socket`, a Unix socket in the state
/// directory): one command per connection, the answer read to the end. Blocking: call it
/// off the cooperative thread pool.
public struct HAProxyRuntime: Sendable {
    /// Why a command could not be sent or was refused.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let socketPath: String
    /// Receive timeout per answer.
    public var timeoutSeconds: Int = 5

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Sends `command` and returns HAProxy's answer.
    public func send(_ command: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot create a Unix socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(description: "the socket path \(socketPath) is too long for a Unix socket (\(pathBytes.count) bytes); use a shorter state directory")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            throw Failure(description: "cannot connect to HAProxy's runtime API at \(socketPath): \(String(cString: strerror(errno)))")
        }
        let line = Array((command + "\n").utf8)
        var sent = 0
        while sent < line.count {
            let n = line[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "cannot send `\(command)` to HAProxy: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw Failure(description: "no answer from HAProxy to `\(command)`: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// Every proxy and server row of `show stat`.
    public func stats() throws -> [ServerStats] {
        ServerStats.parse(try send("show stat"))
    }

    /// Sends a state-changing command; an answer that reports an error throws.
    public func change(_ command: String) throws {
        let answer = try send(command).trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = answer.lowercased()
        let failed = lower.contains("unknown") || lower.contains("not found") || lower.contains("error")
            || lower.contains("cannot") || lower.contains("require") || lower.contains("invalid") || lower.contains("no such")
        if failed && !lower.contains("registered") && !lower.contains("deleted") {
            throw Failure(description: "HAProxy refused `\(command)`: \(answer)")
        }
    }
}
