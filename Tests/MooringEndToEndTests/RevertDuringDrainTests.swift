import Foundation
import MooringTesting
import Testing

/// The defect the controller core was rebuilt for: a `git revert` that lands while the old
/// replica is still draining (its server takes 6 s to exit after SIGTERM) must end with
/// exactly one v1 process serving — round after round.
@Suite struct RevertDuringDrainTests {
    static let slowRuntime = """
        apiVersion: mooring.dev/v1alpha1
        kind: ServingRuntime
        metadata: {name: slow-exit}
        spec:
          command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py",
                    "--model", "{{model.path}}", "--port", "{{port}}", "--name", "{{name}}", "--exit-delay", "6"]
          health:
            http: {path: /v2/health/ready}
            periodSeconds: 1
            startupTimeoutSeconds: 20
          stop: {gracePeriodSeconds: 15}
        """

    static func iris(_ version: Int) -> String {
        """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          model: {uri: models/iris-v\(version).json, version: "\(version)"}
          runtime: slow-exit
          rollout: {minHealthySeconds: 1, progressDeadlineSeconds: 60}
        """
    }

    /// How many times the example server said it drains, in a replica's log.
    static func drains(in log: URL) -> Int {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.components(separatedBy: "draining for 6s").count - 1
    }

    @Test func revertCommittedWhileV1DrainsEndsWithOneV1ServingThreeRoundsInARow() async throws {
        try await ControllerHarness.with(name: "drain") { h in
            try h.repo.write("manifests/slow-runtime.yaml", Self.slowRuntime)
            try h.repo.write("manifests/iris.yaml", Self.iris(1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            for round in 1...3 {
                let v1 = h.modelProcesses()
                #expect(v1.count == 1, "round \(round): \(v1)")
                try h.repo.write("manifests/iris.yaml", Self.iris(2))
                let replicas = try await h.deployment("iris")?["replicaDetails"] as? [[String: Any]] ?? []
                let serving = try #require(replicas.first { $0["serving"] as? Bool == true }?["generation"] as? String)
                let log = h.stateDirectory.appendingPathComponent("logs/iris/\(serving)/0.log")
                let drainsBefore = Self.drains(in: log)
                let upgrade = try await h.commit("iris: v2 (round \(round))")
                // v2 passed its gate and v1 got SIGTERM: it drains for 6 s. Watch its log
                // directly (no subprocess in the loop) so the revert lands inside the window.
                #expect(await waitUntil(timeout: .seconds(90), interval: .milliseconds(50)) { Self.drains(in: log) > drainsBefore },
                        "round \(round)\n\(h.controllerLog)")
                #expect(v1.allSatisfy(ControllerHarness.isAlive), "round \(round): v1 exited before the revert could land")
                _ = upgrade
                _ = try h.repo.git("revert", "--no-edit", "HEAD")
                let revert = try h.repo.revParse()
                _ = try await h.mooring(["sync"])

                #expect(try await h.waitUntilServing("iris", at: revert), "round \(round)\n\(h.output(["events", "iris"]))")
                #expect(await waitUntil(timeout: .seconds(60)) { h.modelProcesses().count == 1 },
                        "round \(round): \(h.modelProcesses())\n\(h.output(["events", "iris"]))")
                #expect(try await h.servedVersion("iris") == "1", "round \(round)")
                let row = try #require(try await h.deployment("iris"))
                #expect(row["sync"] as? String == "Synced")
                #expect(row["health"] as? String == "Healthy")
                #expect(row["readyReplicas"] as? Int == 1)
                #expect(row["desiredRevision"] as? String == revert)
                // Stays that way: nothing left over stops the serving replica later.
                try await Task.sleep(for: .seconds(2))
                #expect(h.modelProcesses().count == 1)
                #expect(try await h.servedVersion("iris") == "1", "round \(round): the serving replica went away")
            }
        }
    }
}
