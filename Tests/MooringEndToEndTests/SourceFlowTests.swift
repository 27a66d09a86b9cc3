import Foundation
import MooringTesting
import Testing

/// What happens on the host when the Git side changes shape: a manifest removed, the
/// manifests folder renamed, a broken commit pushed — through the built binary, a real
/// repository and real model servers.
@Suite(.timeLimit(.minutes(5)))
struct SourceFlowTests {
    private static func rows(_ status: [String: Any]) -> [[String: Any]] {
        status["deployments"] as? [[String: Any]] ?? []
    }

    private static func names(_ status: [String: Any]) -> Set<String> {
        Set(rows(status).compactMap { $0["name"] as? String })
    }

    @Test func removingAManifestStopsItsProcessesAndDropsItFromStatus() async throws {
        try await ControllerHarness.with(name: "remove") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
        try h.repo.write("manifests/setosa.yaml", ControllerHarness.deployment("setosa"))
        let first = try h.repo.commitAll("deploy iris and setosa")
        try h.startController()

        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(try await h.waitUntilServing("setosa", at: first), "\(h.controllerLog)")
        let irisPids = h.modelProcesses(of: "iris")
        let setosaPids = h.modelProcesses(of: "setosa")
        #expect(irisPids.count == 1)
        #expect(setosaPids.count == 1)

        // Remove one of the two manifests.
        try h.repo.remove("manifests/setosa.yaml")
        let removed = try await h.commit("remove setosa")
        #expect(try await h.waitForStatus { Self.names($0) == ["iris"] }, "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses(of: "setosa").isEmpty }, "setosa's server still runs: \(h.modelProcesses(of: "setosa"))")
        // The other deployment is untouched: same process, still serving, still healthy.
        #expect(h.modelProcesses(of: "iris") == irisPids)
        #expect(try await h.servedVersion("iris") == "1")
        let iris = try #require(try await h.deployment("iris"))
        #expect(iris["sync"] as? String == "Synced")
        #expect(iris["health"] as? String == "Healthy")
        let table = try await h.mooring(["status"])
        #expect(!table.stdout.split(separator: "\n").contains { $0.hasPrefix("setosa ") }, "\(table.stdout)")
        #expect(table.stdout.range(of: #"iris\s+Synced\s+Healthy\s+1/1"#, options: .regularExpression) != nil, "\(table.stdout)")
        let setosaEvents = try await h.mooring(["events", "setosa"])
        #expect(setosaEvents.stdout.range(
            of: "setosa\\s+Normal\\s+Deleted\\s+removed from Git at \(removed.prefix(7))", options: .regularExpression) != nil,
            "\(setosaEvents.stdout)")

        // Remove the last deployment; the manifests folder stays (it still holds the runtime).
        try h.repo.remove("manifests/iris.yaml")
        let last = try await h.commit("remove iris too")
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            return Self.rows(status).isEmpty && source?["commit"] as? String == last && source?["error"] as? String == nil
        }, "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses().isEmpty }, "model servers still run: \(h.modelProcesses())")
        let emptyTable = try await h.mooring(["status"])
        #expect(emptyTable.stdout.contains("no deployments"), "\(emptyTable.stdout)")
        #expect(!emptyTable.stdout.contains("ERROR"), "\(emptyTable.stdout)")
        let deleted = try await h.events("iris").filter { $0["reason"] as? String == "Deleted" }
        let allEvents = try await h.mooring(["events"]).stdout
        #expect(deleted.count == 1, "\(allEvents)")
        #expect((deleted.first?["message"] as? String)?.contains("removed from Git at \(last.prefix(7))") == true)
        }
    }

    @Test func removingAManifestDuringItsRolloutStopsItAndEndsTheRollout() async throws {
        try await ControllerHarness.with(name: "remove-mid") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
        let first = try h.repo.commitAll("deploy iris")
        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let irisPids = h.modelProcesses(of: "iris")

        // setosa's first rollout needs 30 s of health; it is removed while under way.
        try h.repo.write("manifests/setosa.yaml", ControllerHarness.deployment("setosa", minHealthySeconds: 30, progressDeadlineSeconds: 120))
        let added = try await h.commit("add setosa (slow rollout)")
        #expect(try await h.waitForStatus { status in
            let setosa = Self.rows(status).first { $0["name"] as? String == "setosa" }
            return setosa?["health"] as? String == "Progressing" && setosa?["attemptedRevision"] as? String == added
        }, "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses(of: "setosa").count == 1 })

        try h.repo.remove("manifests/setosa.yaml")
        let removed = try await h.commit("remove setosa")
        #expect(try await h.waitForStatus { Self.names($0) == ["iris"] && ($0["source"] as? [String: Any])?["commit"] as? String == removed },
                "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses(of: "setosa").isEmpty }, "setosa's server still runs: \(h.modelProcesses(of: "setosa"))")
        #expect(h.modelProcesses(of: "iris") == irisPids)
        #expect(try await h.events("setosa").contains { $0["reason"] as? String == "Deleted" })
        // Its history does not show a rollout still in progress for a deployment that is gone.
        let history = try await h.mooring(["history", "setosa"]).stdout
        #expect(!history.contains("InProgress"), "\(history)")
        #expect(history.range(of: "setosa\\s+\(added.prefix(7))\\s+-\\s+Surge\\s+Superseded\\s+.*removed from Git at \(removed.prefix(7))",
                              options: .regularExpression) != nil, "\(history)")
        }
    }

    @Test func renamingTheManifestsFolderStopsNothingAndShowsTheError() async throws {
        try await ControllerHarness.with(name: "rename") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
        let first = try h.repo.commitAll("deploy iris")
        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let pids = h.modelProcesses()
        #expect(pids.count == 1)

        try h.repo.git("mv", "manifests", "deploy")
        let renamed = try await h.commit("move manifests to deploy/")
        let expected = "path `manifests` not found at \(renamed.prefix(7))"
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            return source?["commit"] as? String == renamed && (source?["error"] as? String)?.contains(expected) == true
        }, "\(h.controllerLog)")
        // Let at least one more poll happen on the renamed tree: still nothing stops.
        #expect(try await h.waitForAnotherFetch(), "\(h.controllerLog)")
        #expect(h.modelProcesses() == pids)
        #expect(try await h.servedVersion("iris") == "1")
        let iris = try #require(try await h.deployment("iris"))
        #expect(iris["health"] as? String == "Healthy")
        #expect(iris["appliedRevision"] as? String == first)
        #expect(try await (h.source()?["error"] as? String)?.contains(expected) == true)

        let table = try await h.mooring(["status"])
        let errorLine = table.stdout.split(separator: "\n").first { $0.hasPrefix("ERROR") }
        #expect(errorLine?.contains(expected) == true, "\(table.stdout)")
        #expect(table.stdout.range(of: #"iris\s+Synced\s+Healthy\s+1/1"#, options: .regularExpression) != nil, "\(table.stdout)")

        // Moving it back clears the error and still restarts nothing.
        try h.repo.git("mv", "deploy", "manifests")
        let back = try await h.commit("move manifests back")
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            let iris = Self.rows(status).first { $0["name"] as? String == "iris" }
            return source?["commit"] as? String == back && source?["error"] as? String == nil
                && iris?["desiredRevision"] as? String == back && iris?["sync"] as? String == "Synced"
                && iris?["health"] as? String == "Healthy"
        }, "\(h.controllerLog)")
        #expect(h.modelProcesses() == pids)
        #expect(try await !h.mooring(["status"]).stdout.contains("ERROR"))
        }
    }

    /// A commit with an unknown field (line 9) and an unknown template variable (line 10).
    static let brokenIris = """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          model: {uri: models/iris-v2.json, version: "2"}
          runtime: python-kserve
          replicas: 1
          rollout: {minHealthySeconds: 1, progressDeadlineSeconds: 30}
          helth: {http: {path: /v2/health/ready}}
          env: {LISTEN_PORT: "{{prot}}"}
        """

    @Test func aBrokenCommitChangesNothingAndTheNextGoodOneApplies() async throws {
        try await ControllerHarness.with(name: "broken") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        let first = try h.repo.commitAll("deploy iris v1")
        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let pids = h.modelProcesses()
        #expect(pids.count == 1)

        try h.repo.write("manifests/iris.yaml", Self.brokenIris)
        let broken = try await h.commit("iris: v2 (with a typo)")
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            return source?["commit"] as? String == broken && source?["error"] as? String != nil
        }, "\(h.controllerLog)")
        let error = try #require(try await h.source()?["error"] as? String)
        #expect(error.hasPrefix("commit \(broken.prefix(7)) rejected, nothing applied:"), "\(error)")
        let diagnostics = error.split(separator: "\n").dropFirst().map(String.init)
        #expect(diagnostics.contains { $0.hasPrefix("manifests/iris.yaml:9:3: error: ") && $0.contains("helth") }, "\(error)")
        #expect(diagnostics.contains {
            $0.range(of: #"^manifests/iris\.yaml:10:\d+: error: .*\{\{prot\}\}"#, options: .regularExpression) != nil
        }, "\(error)")

        // Nothing changed: the same process serves v1, the applied revision is the old one.
        #expect(try await h.waitForAnotherFetch(), "\(h.controllerLog)")
        #expect(h.modelProcesses() == pids)
        #expect(try await h.servedVersion("iris") == "1")
        let iris = try #require(try await h.deployment("iris"))
        #expect(iris["appliedRevision"] as? String == first)
        #expect(iris["health"] as? String == "Healthy")
        #expect(iris["modelVersion"] as? String == "1")

        // The table shows each diagnostic, with file and line, under the ERROR header.
        let table = try await h.mooring(["status"]).stdout
        #expect(table.contains("ERROR       commit \(broken.prefix(7)) rejected, nothing applied:"), "\(table)")
        #expect(table.contains("            manifests/iris.yaml:9:3: error: "), "\(table)")
        #expect(table.range(of: #"\n\s+manifests/iris\.yaml:10:\d+: error: "#, options: .regularExpression) != nil, "\(table)")

        // The next good commit applies.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
        let fixed = try await h.commit("iris: v2 (typo fixed)")
        #expect(try await h.waitUntilServing("iris", at: fixed), "\(h.controllerLog)")
        #expect(try await h.servedVersion("iris") == "2")
        let source = try await h.source()
        #expect(source?["error"] as? String == nil)
        #expect(source?["commit"] as? String == fixed)
        #expect(await waitUntil { h.modelProcesses().count == 1 })
        #expect(Set(h.modelProcesses()).isDisjoint(with: pids))
        #expect(try await !h.mooring(["status"]).stdout.contains("ERROR"))
        }
    }
}
