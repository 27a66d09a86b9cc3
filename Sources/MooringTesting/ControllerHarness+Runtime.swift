import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Helpers for the runtime-side end-to-end tests: events and history as a user reads them,
/// the port a model process serves on, and killing the controller the hard way.
extension ControllerHarness {

    /// The events of `name` with this `reason`.
    public func events(_ name: String?, reason: String) async throws -> [[String: Any]] {
        try await events(name).filter { $0["reason"] as? String == reason }
    }

    /// What a `mooring` command prints (stdout), or "" if it cannot run — for failure
    /// messages, which are built synchronously (and only when an expectation fails).
    public func output(_ arguments: [String]) -> String {
        (try? MooringBinary.run(arguments + ["--state-dir", stateDirectory.path], in: repo.directory).stdout) ?? ""
    }

    /// `mooring history [NAME] -o json`, parsed (oldest first).
    public func history(_ name: String? = nil) async throws -> [[String: Any]] {
        let result = try await mooring(["history"] + (name.map { [$0] } ?? []) + ["-o", "json"])
        guard result.status == 0 else { return [] }
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    /// The port a model process was told to serve on (its `--port` argument).
    public static func servingPort(of pid: Int32) -> Int? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let flag = arguments.firstIndex(of: "--port"), flag + 1 < arguments.count else { return nil }
        return Int(arguments[flag + 1])
    }

    /// The model version the server on `port` reports for deployment `name`, if it answers.
    public func servedVersion(_ name: String, port: Int) async -> String? {
        guard let response = try? await httpRequest("http://127.0.0.1:\(port)/v2/models/\(name)", timeout: .seconds(5)),
              response.status == 200 else { return nil }
        return (try? response.jsonObject()["versions"] as? [String])?.first
    }

    /// Whether the server on `port` answers its readiness endpoint.
    public func isReady(port: Int) async -> Bool {
        guard let response = try? await httpRequest("http://127.0.0.1:\(port)/v2/health/ready", timeout: .seconds(5)) else {
            return false
        }
        return response.status == 200
    }

    /// SIGKILLs a controller — no shutdown, no chance to tidy up — and reaps it.
    public func killHard(_ controller: ManagedProcess) async -> ManagedProcess.ExitStatus? {
        controller.send(SIGKILL)
        return await controller.waitForExit(timeout: .seconds(20))
    }

    /// Whether a process is alive (not a zombie).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }
}
