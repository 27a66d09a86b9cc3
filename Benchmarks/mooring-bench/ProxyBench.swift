import Foundation
import MooringTraffic
#if canImport(Glibc)
import Glibc
#endif

/// The stable endpoint's cost: the example model server called directly and through the
/// controller's HAProxy configuration (rendered by `MooringTraffic`, one backend, one
/// server), one client, a new connection per request (what a simple client does), GET of
/// the model's metadata. Reports p50/p99 latency and requests per second for each; the
/// `proxy` section of `BENCHMARKS.md`. `mooring-bench proxy` runs only this part.
enum ProxyBench {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let requests = 2_000

    static func run() async throws -> String {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let haproxy = try ["/usr/sbin/haproxy", "/usr/bin/haproxy"].first { FileManager.default.isExecutableFile(atPath: $0) }
            .orThrow(Failure(description: "HAProxy is not installed: run scripts/install-deps.sh"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mooring-proxy-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { removeDirectory(directory) }
        let serverPort = try freePort(), proxyPort = try freePort()

        let server = try spawn("/usr/bin/env", ["python3", root.appendingPathComponent("examples/servers/kserve_v2_server.py").path,
                                                "--model", root.appendingPathComponent("models/iris-v1.json").path,
                                                "--port", "\(serverPort)", "--name", "iris"])
        defer { stop(server) }
        let backend = TrafficBackend(name: "iris", address: "127.0.0.1", port: proxyPort, mode: .http, checkPath: "/v2/health/ready",
                                     servers: [TrafficServer(name: "g1-0", port: serverPort, state: .ready)])
        let config = directory.appendingPathComponent("haproxy.cfg")
        try Data(HAProxyConfig.render([backend], socketPath: directory.appendingPathComponent("h.sock").path).utf8).write(to: config)
        let proxy = try spawn(haproxy, ["-W", "-db", "-f", config.path])
        defer { stop(proxy) }

        try await waitForAnswer(port: serverPort)
        try await waitForAnswer(port: proxyPort)
        let direct = try measure(port: serverPort)
        let proxied = try measure(port: proxyPort)
        func row(_ label: String, _ r: (p50: Double, p99: Double, rate: Double)) -> String {
            String(format: "| %@ | %.2f ms | %.2f ms | %.0f |", label, r.p50, r.p99, r.rate)
        }
        return """
            ## Stable endpoint: HAProxy's added latency

            \(BenchmarksFile.machine()). \(requests) sequential `GET /v2/models/iris` to the example
            server (Python `ThreadingHTTPServer`), a new TCP connection each, after 200 warm-up requests.

            | path | p50 | p99 | requests/s |
            |---|---|---|---|
            \(row("direct to the replica", direct))
            \(row("through HAProxy (stable endpoint)", proxied))

            Added by the proxy: p50 \(String(format: "%+.2f", proxied.p50 - direct.p50)) ms, p99 \(String(format: "%+.2f", proxied.p99 - direct.p99)) ms.
            """
    }

    /// Latency percentiles (ms) and throughput of `requests` sequential requests.
    static func measure(port: Int) throws -> (p50: Double, p99: Double, rate: Double) {
        for _ in 0..<200 { _ = try get(port: port) }
        let clock = ContinuousClock()
        var samples: [Double] = []
        let total = try clock.measure {
            for _ in 0..<requests {
                let one = try clock.measure { _ = try get(port: port) }
                samples.append(one / .milliseconds(1))
            }
        }
        samples.sort()
        return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)],
                Double(requests) / (total / .seconds(1)))
    }

    /// One `GET` on a new connection; throws unless the answer is 200.
    static func get(port: Int) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to \(port): errno \(errno)") }
        let request = Array("GET /v2/models/iris HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else {
            throw Failure(description: "write to \(port): errno \(errno)")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            answer += buffer[0..<n]
        }
        guard answer.starts(with: Array("HTTP/1.1 200".utf8)) || answer.starts(with: Array("HTTP/1.0 200".utf8)) else {
            throw Failure(description: "port \(port) answered: \(String(decoding: answer.prefix(80), as: UTF8.self))")
        }
        return answer.count
    }

    static func waitForAnswer(port: Int) async throws {
        for _ in 0..<200 {
            do {
                _ = try get(port: port)
                return
            } catch {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        throw Failure(description: "nothing answers 200 on port \(port) after 10 s")
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else { throw Failure(description: "cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func spawn(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func removeDirectory(_ url: URL) {
        do { try FileManager.default.removeItem(at: url) } catch { print("cannot remove \(url.path): \(error)") }
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
