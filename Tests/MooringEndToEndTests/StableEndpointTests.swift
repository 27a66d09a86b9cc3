import Foundation
import MooringTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The stable endpoint through HAProxy, with the real binary, HAProxy and model servers:
/// a constant stream of requests sees no failure while a Surge rollout completes, the
/// controller is SIGKILLed mid-rollout and restarted (HAProxy keeps its pid and serves
/// throughout), a revert rolls back, and replicas go 1 → 3 → 1.
@Suite(.timeLimit(.minutes(5)))
struct StableEndpointTests {
    @Test func rolloutsKillsAndScalingDropNoRequest() async throws {
        try await ControllerHarness.with(name: "traffic") { h in
        defer { Self.stopHAProxy(h) }
        let port = Int(try freeLoopbackPort())
        let endpoint = "  endpoint: {port: \(port)}"
        let stable = "http://127.0.0.1:\(port)"
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, extra: endpoint))
        let first = try h.repo.commitAll("deploy iris v1 behind port \(port)")
        var controller = try h.startController(interval: "500ms")
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(try await h.deployment("iris")?["endpoint"] as? String == stable)
        #expect(await waitUntil(timeout: .seconds(30)) { await Self.version(stable) == "1" }, "\(h.controllerLog)")
        let haproxy = try #require(Self.haproxyPid(h), "no HAProxy recorded")

        let load = LoadClient(url: "\(stable)/v2/models/iris")
        let traffic = Task { await load.run() }
        var steps: [String] = []
        func step(_ what: String) { steps.append("\(Date()) \(what)") }

        step("v2")
        // 1. A Surge rollout to v2.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, extra: endpoint))
        let second = try await h.commit("iris v2")
        #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
        #expect(await waitUntil(timeout: .seconds(30)) { h.modelProcesses().count == 1 }, "old replica not stopped")
        #expect(load.versionsSince(0).last == "2")

        // 2. Back to v1 (what `git revert` produces); the controller is SIGKILLed while the
        //    rollout runs and a new one adopts HAProxy (same pid) and finishes it.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, minHealthySeconds: 3, extra: endpoint))
        step("revert")
        let third = try await h.commit("Revert \"iris v2\"")
        #expect(await waitUntil(timeout: .seconds(60)) { h.modelProcesses().count == 2 }, "\(h.controllerLog)")
        _ = await h.killHard(controller)
        step("killed")
        #expect(ControllerHarness.isAlive(haproxy))
        let whileDown = load.count
        #expect(await waitUntil(timeout: .seconds(10)) { load.count > whileDown + 5 }, "the endpoint answers with no controller")
        controller = try h.startController(interval: "500ms")
        step("restarted")
        #expect(try await h.waitUntilServing("iris", at: third, timeout: .seconds(90)), "\(h.controllerLog)")
        #expect(await waitUntil(timeout: .seconds(30)) { h.modelProcesses().count == 1 }, "old replica not stopped")
        #expect(Self.haproxyPid(h) == haproxy, "HAProxy was restarted instead of adopted")
        let mark = load.count
        #expect(await waitUntil(timeout: .seconds(10)) { load.versionsSince(mark).contains("1") })

        step("scale 3")
        // 3. Replicas 1 → 3 → 1.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 3, extra: endpoint))
        let fourth = try await h.commit("iris: 3 replicas")
        #expect(try await h.waitForStatus { _ in
            let row = try await h.deployment("iris")
            return row?["appliedRevision"] as? String == fourth && row?["readyReplicas"] as? Int == 3
        }, "\(h.controllerLog)")
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 1, extra: endpoint))
        step("scale 1")
        let fifth = try await h.commit("iris: 1 replica")
        #expect(try await h.waitUntilServing("iris", at: fifth), "\(h.controllerLog)")
        #expect(await waitUntil(timeout: .seconds(30)) { h.modelProcesses().count == 1 }, "scaled-down replicas not stopped")

        step("done")
        load.stop()
        await traffic.value
        #expect(load.count > 100, "too few requests to mean anything: \(load.count)")
        #expect(load.failures.isEmpty, "\(load.failures.count) failed requests through the stable endpoint: \(load.failures.first ?? "") … \(load.failures.last ?? ""); steps: \(steps)")
        #expect(Set(load.versionsSince(0)) == ["1", "2"])
        #expect(Self.haproxyPid(h) == haproxy)
        _ = controller
        }
    }

    /// The version the model server behind `endpoint` reports.
    static func version(_ endpoint: String) async -> String? {
        do {
            let response = try await httpRequest("\(endpoint)/v2/models/iris", timeout: .seconds(5))
            guard response.status == 200 else { return nil }
            return (try response.jsonObject()["versions"] as? [String])?.first
        } catch {
            return nil
        }
    }

    /// The HAProxy master's pid, from the controller's adoption record.
    static func haproxyPid(_ h: ControllerHarness) -> Int32? {
        let file = h.stateDirectory.appendingPathComponent("traffic/haproxy.json")
        guard let data = FileManager.default.contents(atPath: file.path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let identity = object["identity"] as? [String: Any], let pid = identity["pid"] as? Int else { return nil }
        return Int32(pid)
    }

    /// HAProxy outlives controllers by design: the test stops it (and its workers) itself.
    static func stopHAProxy(_ h: ControllerHarness) {
        guard let pid = haproxyPid(h), ControllerHarness.isAlive(pid) else { return }
        let group = getpgid(pid)
        if group > 1 { kill(-group, SIGKILL) }
        kill(pid, SIGKILL)
    }
}

/// A bounded load client: one request every 20 ms (at most 10 000), each answer's version
/// recorded, every failure (no answer, or not 200) kept with when it happened.
final class LoadClient: @unchecked Sendable {
    let url: String
    private let lock = NSLock()
    private var stopped = false
    private var versions: [String] = []
    private(set) var failuresList: [String] = []

    init(url: String) { self.url = url }

    var count: Int { lock.withLock { versions.count + failuresList.count } }
    var failures: [String] { lock.withLock { failuresList } }
    func versionsSince(_ index: Int) -> [String] { lock.withLock { Array(versions.dropFirst(index)) } }
    func stop() { lock.withLock { stopped = true } }

    func run() async {
        for _ in 0..<10_000 {
            if lock.withLock({ stopped }) { return }
            do {
                let response = try await httpRequest(url, timeout: .seconds(20))
                let version = response.status == 200 ? (try response.jsonObject()["versions"] as? [String])?.first : nil
                lock.withLock {
                    if let version { versions.append(version) } else { failuresList.append("\(Date()): HTTP \(response.status) \(response.text.prefix(120))") }
                }
            } catch {
                lock.withLock { failuresList.append("\(Date()): \(error)") }
            }
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
    }
}
