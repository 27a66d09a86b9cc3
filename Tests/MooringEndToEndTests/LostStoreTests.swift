import Foundation
import MooringTesting
import Testing

/// Losing the state store must not restart every model (an outage as long as each model's
/// load time), and a replaced state directory must not let two controllers run every model twice.
@Suite struct LostStoreTests {
    /// `state.sqlite` truncated to 0 bytes while no controller runs: the running replicas
    /// carry their deployment, generation, replica and spec hash in their environment, so the
    /// next controller adopts those Git still wants as they are — same pids — and stops the rest.
    @Test func zeroByteStoreReadoptsWhatGitStillWants() async throws {
        try await ControllerHarness.with(name: "lost") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 2))
            try h.repo.write("manifests/wine.yaml", ControllerHarness.deployment("wine", version: 1))
            let first = try h.repo.commitAll("deploy iris x2 and wine")
            let controller = try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            #expect(try await h.waitUntilServing("wine", at: first), "\(h.controllerLog)")
            #expect(await waitUntil { h.modelProcesses().count == 3 })
            let iris = Set(h.modelProcesses(of: "iris"))
            let wine = Set(h.modelProcesses(of: "wine"))
            #expect(await h.killHard(controller) != nil)

            // The store is lost; meanwhile Git moved wine to v2.
            for name in ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"] {
                let url = h.stateDirectory.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            }
            #expect(FileManager.default.createFile(atPath: h.stateDirectory.appendingPathComponent("state.sqlite").path,
                                                   contents: Data(), attributes: [.posixPermissions: 0o600]))
            try h.repo.write("manifests/wine.yaml", ControllerHarness.deployment("wine", version: 2))
            let second = try h.repo.commitAll("wine: v2")

            try h.startController()
            #expect(try await h.waitForStatus { status in
                let rows = status["deployments"] as? [[String: Any]] ?? []
                return rows.count == 2 && rows.allSatisfy {
                    $0["sync"] as? String == "Synced" && $0["health"] as? String == "Healthy"
                }
            }, "\(h.output(["events"]))\n\(h.controllerLog)")
            #expect(Set(h.modelProcesses(of: "iris")) == iris, "iris was restarted")
            #expect(await waitUntil { Set(h.modelProcesses(of: "wine")).isDisjoint(with: wine) && h.modelProcesses(of: "wine").count == 1 },
                    "wine still runs v1: \(h.modelProcesses(of: "wine"))")
            #expect(try await h.servedVersion("wine") == "2")
            #expect(try await h.deployment("wine")?["appliedRevision"] as? String == second)
            #expect(try await !h.events("iris", reason: "Adopted").isEmpty, "\(h.output(["events"]))")
        }
    }

    /// The state directory is deleted under a running controller and a second one is
    /// started on the same path: it must refuse (the first still runs every model).
    @Test func aSecondControllerRefusesWhileTheFirstStillRunsTheModels() async throws {
        try await ControllerHarness.with(name: "split") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            let controller = try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let serving = h.modelProcesses()

            try FileManager.default.removeItem(at: h.stateDirectory)
            let second = try h.startController()
            let exit = await second.waitForExit(timeout: .seconds(60))
            #expect(exit == .exited(1), "\(second.stderr)")
            #expect(second.stderr.contains("another controller (pid \(controller.pid))"), "\(second.stderr)")
            #expect(h.modelProcesses() == serving, "the second controller started or stopped a model")
            // The first one noticed and stopped reconciling, loudly; its models keep running.
            #expect(await waitUntil(timeout: .seconds(30)) { controller.stderr.contains("was removed or replaced under the running controller") },
                    "\(controller.stderr)")
            #expect(serving.allSatisfy(ControllerHarness.isAlive))
        }
    }
}
