import Foundation
import MooringTesting
import Testing

/// A model replaced in place — a file inside a model directory, with no manifest change —
/// rolls the deployment: the spec's identity covers the model's content.
@Suite struct ModelContentTests {
    @Test func changingAFileInsideAModelDirectoryRollsTheDeployment() async throws {
        try await ControllerHarness.with(name: "content") { h in
            let root = MooringBinary.packageRoot
            let v1 = try String(contentsOf: root.appendingPathComponent("models/iris-v1.json"), encoding: .utf8)
            let v2 = try String(contentsOf: root.appendingPathComponent("models/iris-v2.json"), encoding: .utf8)
            try h.repo.write("models/iris/model.json", v1)
            try h.repo.write("manifests/iris.yaml", """
                apiVersion: mooring.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: iris}
                spec:
                  model: {uri: models/iris, version: "dir"}
                  command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py",
                            "--model", "{{model.path}}/model.json", "--port", "{{port}}", "--name", "iris"]
                  health: {http: {path: /v2/health/ready}, periodSeconds: 1}
                  rollout: {minHealthySeconds: 1}
                """)
            let first = try h.repo.commitAll("iris from a model directory")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "1")
            let before = h.modelProcesses()

            // Only the model file changes; the manifests tree is the same.
            try h.repo.write("models/iris/model.json", v2)
            let second = try await h.commit("retrain iris in place")
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
            #expect(await waitUntil { let now = h.modelProcesses(); return now.count == 1 && Set(now).isDisjoint(with: before) })
            let history = try await h.history("iris")
            #expect(history.count == 2, "\(h.output(["history", "iris"]))")

            // A commit that touches neither rolls nothing.
            try h.repo.write("README.md", "models live here\n")
            let third = try await h.commit("docs")
            #expect(try await h.waitForStatus { ($0["deployments"] as? [[String: Any]])?.first?["desiredRevision"] as? String == third })
            #expect(try await h.history("iris").count == 2)
        }
    }
}
