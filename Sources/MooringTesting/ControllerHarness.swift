import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real end-to-end setup: a Git repository in a temp dir holding the example model
/// server, both iris models and a ServingRuntime; a state directory; and the built
/// `mooring run` watching the repository, driven as an operator would.
///
/// `cleanup()` stops the controller, runs `mooring down`, and kills anything still
/// carrying the state directory's marker, so no process outlives a test.
public final class ControllerHarness: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// The watched repository (branch `main`).
    public let repo: GitFixture
    /// The controller's state directory.
    public let stateDirectory: URL
    /// Ports for this harness's replicas: a slice of its own, so parallel tests never share.
    public let portRange: ClosedRange<Int>
    private let lock = NSLock()
    private var controllers: [ManagedProcess] = []

    private static let sliceLock = NSLock()
    nonisolated(unsafe) private static var nextSlice = 0

    /// The runtime every test deployment uses: the example server with fast probes.
    public static let runtimeManifest = """
        apiVersion: mooring.dev/v1alpha1
        kind: ServingRuntime
        metadata: {name: python-kserve}
        spec:
          command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py",
                    "--model", "{{model.path}}", "--port", "{{port}}", "--name", "{{name}}"]
          health:
            http: {path: /v2/health/ready}
            periodSeconds: 1
            startupTimeoutSeconds: 20
          restart:
            backoff: {initialSeconds: 0.2, maxSeconds: 2}
          stop: {gracePeriodSeconds: 5}
        """

    public init(name: String = "e2e") throws {
        directory = try TemporaryDirectory(prefix: "mooring-\(name)")
        stateDirectory = directory.appending("state")
        repo = try GitFixture(at: directory.appending("repo"))
        let slice: Int = Self.sliceLock.withLock {
            defer { Self.nextSlice += 1 }
            return Self.nextSlice
        }
        // 230 slices of 20 ports in 28000–32599: below Linux's ephemeral range (32768+),
        // so no client socket takes a model's port; apart from the supervisor tests' 20000–27999.
        let base = 28000 + ((Int(getpid()) % 10) * 23 + slice % 23) * 20
        portRange = base...(base + 19)

        let root = MooringBinary.packageRoot
        for file in ["examples/servers/kserve_v2_server.py", "models/iris-v1.json", "models/iris-v2.json"] {
            let data = try Data(contentsOf: root.appendingPathComponent(file))
            try repo.write(file, String(decoding: data, as: UTF8.self))
        }
        try repo.write("manifests/runtime.yaml", Self.runtimeManifest)
    }

    /// A ModelDeployment of the iris model at `version` (1 or 2), with fast rollouts.
    public static func deployment(
        _ name: String, version: Int = 1, replicas: Int = 1, minHealthySeconds: Int = 1,
        progressDeadlineSeconds: Int = 30, extra: String = ""
    ) -> String {
        """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: \(name)}
        spec:
          model: {uri: models/iris-v\(version).json, version: "\(version)"}
          runtime: python-kserve
          replicas: \(replicas)
          rollout: {minHealthySeconds: \(minHealthySeconds), progressDeadlineSeconds: \(progressDeadlineSeconds)}
        \(extra)
        """
    }

    /// Starts `mooring run` on the repository (debug logs to its stderr file). Its HTTP
    /// API listens on a free loopback port (`--listen 127.0.0.1:0`) unless `extra` names
    /// one, so parallel tests never share the default 7420; ``apiURL()`` finds it.
    @discardableResult
    /// `listenOnAnyPort` adds `--listen 127.0.0.1:0` unless `extra` has a `--listen`; off, the
    /// controller listens where its host configuration or default says.
    public func startController(interval: String = "1s", arguments extra: [String] = [],
                                listenOnAnyPort: Bool = true) throws -> ManagedProcess {
        let listen = extra.contains("--listen") || !listenOnAnyPort ? [] : ["--listen", "127.0.0.1:0"]
        let process = try ManagedProcess(
            executable: MooringBinary.path,
            arguments: ["run", "--repo", repo.directory.path, "--branch", "main", "--state-dir", stateDirectory.path,
                        "--interval", interval, "--port-range", "\(portRange.lowerBound)-\(portRange.upperBound)",
                        "--log-level", "debug"] + listen + extra,
            environment: ["MOORING_STATE_DIR": ""],
            outputDirectory: directory.url,
            name: "controller-\(lock.withLock { controllers.count })")
        lock.withLock { controllers.append(process) }
        return process
    }

    /// Runs a `mooring` command against this harness's state directory (on a thread of
    /// its own: see `runCommandOffPool`).
    @discardableResult
    public func mooring(_ arguments: [String]) async throws -> CommandResult {
        try await MooringBinary.runAsync(arguments + ["--state-dir", stateDirectory.path], in: repo.directory)
    }

    /// `mooring status -o json`, parsed; `nil` before the controller wrote any state.
    public func status() async throws -> [String: Any]? {
        let result = try await mooring(["status", "-o", "json"])
        guard result.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }

    /// One deployment's row from `status`, if present.
    public func deployment(_ name: String) async throws -> [String: Any]? {
        let rows = try await status()?["deployments"] as? [[String: Any]] ?? []
        return rows.first { $0["name"] as? String == name }
    }

    /// Waits (generously) until `condition` holds for the parsed status.
    public func waitForStatus(
        timeout: Duration = .seconds(90), _ condition: ([String: Any]) async throws -> Bool
    ) async throws -> Bool {
        try await waitUntil(timeout: timeout, interval: .milliseconds(200)) {
            guard let status = try await self.status() else { return false }
            return try await condition(status)
        }
    }

    /// Waits until deployment `name` is Synced and Healthy at `revision` (full SHA).
    public func waitUntilServing(_ name: String, at revision: String, timeout: Duration = .seconds(90)) async throws -> Bool {
        try await waitForStatus(timeout: timeout) { status in
            let rows = status["deployments"] as? [[String: Any]] ?? []
            guard let row = rows.first(where: { $0["name"] as? String == name }) else { return false }
            return row["sync"] as? String == "Synced" && row["health"] as? String == "Healthy"
                && row["appliedRevision"] as? String == revision
        }
    }

    /// The `version` a deployment's model server reports through its metadata endpoint.
    public func servedVersion(_ name: String) async throws -> String? {
        guard let endpoint = try await deployment(name)?["endpoint"] as? String else { return nil }
        guard let response = try? await httpRequest("\(endpoint)/v2/models/\(name)", timeout: .seconds(5)),
              response.status == 200 else { return nil }
        return (try response.jsonObject()["versions"] as? [String])?.first
    }

    /// Commits everything in the work tree and asks the controller to sync now.
    @discardableResult
    public func commit(_ message: String) async throws -> String {
        let sha = try repo.commitAll(message)
        _ = try? await mooring(["sync"])
        return sha
    }

    /// Live processes started for this state directory (the model servers).
    public func modelProcesses() -> [Int32] {
        Self.markedProcesses(stateDirectory: stateDirectory)
    }

    /// Pids whose environment carries `MOORING_MANAGED_BY=<stateDirectory>`.
    public static func markedProcesses(stateDirectory: URL) -> [Int32] {
        let needle = Array("MOORING_MANAGED_BY=\(stateDirectory.standardizedFileURL.path)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            guard data.split(separator: 0).contains(where: { Array($0) == needle }) else { return false }
            // A zombie has no environment to read; count only live ones.
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            return !stat.contains(") Z ")
        }.sorted()
    }

    /// Stops the controller(s), every model process, and removes the directory.
    public func cleanup() async {
        for controller in lock.withLock({ controllers }) {
            if !controller.hasExited {
                controller.send(SIGTERM)
                if await controller.waitForExit(timeout: .seconds(20)) == nil { _ = controller.kill() }
            }
            _ = controller.kill()
        }
        _ = try? await mooring(["down", "--grace", "3s"])
        for pid in Self.markedProcesses(stateDirectory: stateDirectory) {
            let group = getpgid(pid)
            if group > 1 { Glibc.kill(-group, SIGKILL) }
            Glibc.kill(pid, SIGKILL)
        }
        directory.remove()
    }

    /// Runs `body` with a fresh harness and always cleans up after it — on success, on a
    /// thrown error — then throws if any model process of the harness is still alive.
    public static func with(
        name: String = "e2e", _ body: (ControllerHarness) async throws -> Void
    ) async throws {
        let harness = try ControllerHarness(name: name)
        let state = harness.stateDirectory
        do {
            try await body(harness)
        } catch {
            await harness.cleanup()
            throw error
        }
        await harness.cleanup()
        let left = markedProcesses(stateDirectory: state)
        if !left.isEmpty {
            throw TestingError("model processes left behind after cleanup: \(left)")
        }
    }

    /// The controller's log so far (for failure messages).
    public var controllerLog: String {
        lock.withLock { controllers }.map(\.stderr).joined(separator: "\n--- next controller ---\n")
    }
}
