import Foundation

/// The result of one health probe.
struct ProbeResult: Sendable, Equatable {
    var success: Bool
    /// Why it failed (or what it saw), for status messages.
    var detail: String
}

/// Runs health probes. Every probe blocks (libcurl, connect, waiting on a command), so each
/// runs on a dedicated dispatch queue, never on Swift's cooperative pool.
enum Probe {
    private static let queue = DispatchQueue(label: "mooring.probes", attributes: .concurrent)

    /// Runs `check` once with `timeout`; `.none` always succeeds.
    static func run(_ check: HealthCheck, timeout: Duration, environment: [String: String],
                    workingDirectory: String?) async -> ProbeResult {
        if case .none = check { return ProbeResult(success: true, detail: "no probe") }
        return await withCheckedContinuation { continuation in
            queue.async {
                let result: ProbeResult
                switch check {
                case let .http(path, port, scheme):
                    result = HTTPProbe.get(scheme: scheme, port: port, path: path, timeout: timeout)
                case let .tcp(port):
                    result = TCPProbe.connect(port: port, timeout: timeout)
                case let .exec(command):
                    result = ExecProbe.run(command, timeout: timeout, environment: environment,
                                           workingDirectory: workingDirectory)
                case .none:
                    result = ProbeResult(success: true, detail: "no probe")
                }
                continuation.resume(returning: result)
            }
        }
    }
}

extension Duration {
    /// Whole milliseconds, at least 1.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
