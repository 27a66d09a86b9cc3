import Foundation
import MooringTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A rollout that fails its health gate: the old version keeps serving, the deployment
/// says why it is Degraded, the failed spec is not retried until Git changes it.
@Suite(.timeLimit(.minutes(5)))
struct RolloutFailureTests {
    @Test func versionThatNeverBecomesHealthyIsRolledBackAndNotRetried() async throws {
        try await ControllerHarness.with(name: "never") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        let first = try h.repo.commitAll("deploy iris v1")
        let controller = try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let v1Processes = h.modelProcesses()
        #expect(v1Processes.count == 1)

        // v2 with a health path the server never answers: it can never become ready.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment(
            "iris", version: 2, progressDeadlineSeconds: 6,
            extra: "  health: {http: {path: /never}, startupTimeoutSeconds: 60}"))
        let bad = try await h.commit("iris: serve v2 (wrong health path)")

        // Throughout the rollout, v1 answers every request.
        var answers: [String?] = []
        var sawAttempt = false
        let degraded = try await waitUntil(timeout: .seconds(90), interval: .milliseconds(250)) {
            answers.append(try await h.servedVersion("iris"))
            guard let row = try await h.deployment("iris") else { return false }
            if row["attemptedRevision"] as? String == bad { sawAttempt = true }
            return row["health"] as? String == "Degraded"
        }
        #expect(degraded, "\(h.controllerLog)")
        #expect(sawAttempt)
        #expect(!answers.isEmpty)
        #expect(answers.allSatisfy { $0 == "1" }, "answers during the rollout: \(answers)")

        let row = try #require(try await h.deployment("iris"))
        #expect(row["sync"] as? String == "OutOfSync")
        #expect(row["health"] as? String == "Degraded")
        #expect(row["desiredRevision"] as? String == bad)
        #expect(row["attemptedRevision"] as? String == bad)
        #expect(row["appliedRevision"] as? String == first)
        #expect(row["modelVersion"] as? String == "1")
        let message = row["message"] as? String ?? ""
        #expect(message.contains("progressDeadlineSeconds"), "\(message)")
        #expect(message.contains(String(first.prefix(7))), "the message names what keeps serving: \(message)")
        #expect(try await h.servedVersion("iris") == "1")
        // The new replica was stopped; the v1 one was never touched.
        #expect(await waitUntil { h.modelProcesses() == v1Processes }, "\(h.modelProcesses()) vs \(v1Processes)")

        // The table says it too.
        let table = try await h.mooring(["status"]).stdout
        #expect(table.range(of: #"iris\s+OutOfSync\s+Degraded"#, options: .regularExpression) != nil, "\(table)")

        // Polls that see the same commit do not retry it...
        let started = try await h.events("iris", reason: "RolloutStarted").count
        #expect(started == 2)
        for _ in 0..<3 {
            _ = try await h.mooring(["sync"])
            try await Task.sleep(for: .milliseconds(700))
        }
        // ...nor does a commit that re-parses the manifests without changing iris's spec.
        try h.repo.write("manifests/runtime.yaml", ControllerHarness.runtimeManifest + "\n# touched, same runtime\n")
        let unrelated = try await h.commit("runtime: comment only")
        #expect(try await h.waitForStatus { _ in try await h.deployment("iris")?["desiredRevision"] as? String == unrelated },
                "\(h.controllerLog)")
        _ = try await h.mooring(["sync"])
        try await Task.sleep(for: .seconds(1))

        #expect(try await h.events("iris", reason: "RolloutStarted").count == started, "\(h.output(["events", "iris"]))")
        let afterPolls = try #require(try await h.deployment("iris"))
        #expect(afterPolls["health"] as? String == "Degraded")
        #expect(afterPolls["sync"] as? String == "OutOfSync")
        #expect((afterPolls["message"] as? String ?? "").contains("not retried until Git changes it"), "\(afterPolls)")
        #expect(h.modelProcesses() == v1Processes)
        #expect(try await h.servedVersion("iris") == "1")

        // A controller restart is not a Git change either: the new controller parses and
        // plans from scratch and still leaves the quarantined spec alone.
        controller.send(SIGTERM)
        #expect(await controller.waitForExit(timeout: .seconds(30)) != nil)
        let restarted = try h.startController()
        #expect(await waitUntil(timeout: .seconds(60)) { restarted.stderr.contains("planned ") }, "\(h.controllerLog)")
        _ = try await h.mooring(["sync"])
        try await Task.sleep(for: .seconds(1))
        #expect(try await h.events("iris", reason: "RolloutStarted").count == started, "\(h.output(["events", "iris"]))")
        #expect(try await h.deployment("iris")?["health"] as? String == "Degraded")
        #expect(h.modelProcesses() == v1Processes)
        #expect(try await h.servedVersion("iris") == "1")

        let history = try await h.history("iris")
        let failed = history.filter { ["Failed", "RolledBack"].contains($0["outcome"] as? String ?? "") }
        #expect(failed.count == 1, "\(h.output(["history", "iris"]))")
        #expect(failed.first?["revision"] as? String == bad)
        #expect(history.count == 2, "\(h.output(["history", "iris"]))")

        // The next commit that changes the spec proceeds: v2 with a health path that works.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, progressDeadlineSeconds: 30))
        let good = try await h.commit("iris: serve v2 (fixed health path)")
        #expect(try await h.waitUntilServing("iris", at: good), "\(h.controllerLog)")
        #expect(try await h.servedVersion("iris") == "2")
        #expect(await waitUntil { h.modelProcesses().count == 1 })
        #expect(Set(h.modelProcesses()).isDisjoint(with: v1Processes))
        let fixed = try #require(try await h.deployment("iris"))
        #expect(fixed["message"] as? String == "")
        #expect(try await h.history("iris").last?["outcome"] as? String == "Succeeded")
        }
    }

    /// A new version that crash-loops during its rollout: rolled back, and the deployment
    /// says Degraded with the exit status.
    @Test func versionThatCrashLoopsIsRolledBackWithItsExitStatus() async throws {
        try await ControllerHarness.with(name: "loop") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        let first = try h.repo.commitAll("deploy iris v1")
        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let v1Processes = h.modelProcesses()

        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment(
            "iris", version: 2, progressDeadlineSeconds: 60,
            extra: "  command: [\"sh\", \"-c\", \"sleep 0.3; exit 3\"]"))
        let bad = try await h.commit("iris: v2 with a command that exits 3")

        #expect(try await h.waitForStatus { _ in try await h.deployment("iris")?["health"] as? String == "Degraded" },
                "\(h.controllerLog)")
        let row = try #require(try await h.deployment("iris"))
        let message = row["message"] as? String ?? ""
        #expect(row["sync"] as? String == "OutOfSync")
        #expect(row["attemptedRevision"] as? String == bad)
        #expect(row["appliedRevision"] as? String == first)
        #expect(message.contains("crash"), "\(message)")
        #expect(message.contains("code 3"), "\(message)")
        #expect(try await h.servedVersion("iris") == "1")
        #expect(await waitUntil { h.modelProcesses() == v1Processes })
        let outcome = try #require(try await h.history("iris").last)
        let outcomeWord = outcome["outcome"] as? String
        let outcomeReason = outcome["reason"] as? String ?? ""
        #expect(outcomeWord == "RolledBack")
        #expect(outcomeReason.contains("code 3"), "\(outcomeReason)")
        }
    }
}
