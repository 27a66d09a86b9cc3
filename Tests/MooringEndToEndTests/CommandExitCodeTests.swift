import Foundation
import MooringTesting
import Testing

/// The exit codes scripts and CI rely on: a second controller on a state directory,
/// `status --wait`, and `plan` — run as a user runs them, against a live controller.
@Suite(.timeLimit(.minutes(5)))
struct CommandExitCodeTests {
    private static func row(_ status: [String: Any], _ name: String) -> [String: Any]? {
        (status["deployments"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
    }

    @Test func aSecondControllerOnTheSameStateDirectoryExitsNamingTheHolder() async throws {
        try await ControllerHarness.with(name: "lock") { h in
        try h.repo.commitAll("runtime only")
        let first = try h.startController()
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            return source?["controllerRunning"] as? Bool == true && source?["controllerPid"] as? Int == Int(first.pid)
        }, "\(h.controllerLog)")

        let second = try h.startController()
        let exit = await second.waitForExit(timeout: .seconds(60))
        #expect(exit == .exited(1), "\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.pid)"), "\(second.stderr)")
        #expect(second.stderr.contains("already running"), "\(second.stderr)")

        // The first controller is unaffected and still the holder.
        #expect(!first.hasExited)
        let status = try await h.mooring(["status"])
        #expect(status.stdout.contains("running (pid \(first.pid))"), "\(status.stdout)")
        }
    }

    @Test func statusWaitExitsZeroWhenSettledAndOneOnTimeoutOrDegraded() async throws {
        try await ControllerHarness.with(name: "wait") { h in
        // No state yet: status has nothing to read.
        let noState = try await h.mooring(["status"])
        #expect(noState.status == 2, "\(noState.output)")

        // A rollout that needs 30 s of health: --wait gives up after 2 s.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", minHealthySeconds: 30, progressDeadlineSeconds: 120))
        let slow = try h.repo.commitAll("deploy iris (slow rollout)")
        try h.startController()
        #expect(try await h.waitForStatus { status in
            let iris = Self.row(status, "iris")
            return iris?["health"] as? String == "Progressing" && iris?["attemptedRevision"] as? String == slow
        }, "\(h.controllerLog)")
        let timedOut = try await h.mooring(["status", "--wait", "--timeout", "2s"])
        #expect(timedOut.status == 1, "\(timedOut.output)")
        #expect(timedOut.stderr.contains("not Synced and Healthy within"), "\(timedOut.stderr)")
        #expect(timedOut.stdout.range(of: #"iris\s+OutOfSync\s+Progressing"#, options: .regularExpression) != nil, "\(timedOut.stdout)")

        // A quick rollout instead: --wait exits 0 once it is Synced and Healthy.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", minHealthySeconds: 1))
        let fast = try await h.commit("iris: quick rollout")
        #expect(try await h.waitForStatus { ($0["source"] as? [String: Any])?["commit"] as? String == fast }, "\(h.controllerLog)")
        let settled = try await h.mooring(["status", "--wait", "--timeout", "90s"])
        #expect(settled.status == 0, "\(settled.output)\n\(h.controllerLog)")
        #expect(settled.stdout.range(of: #"iris\s+Synced\s+Healthy\s+1/1"#, options: .regularExpression) != nil, "\(settled.stdout)")
        #expect(try await h.deployment("iris")?["appliedRevision"] as? String == fast)

        // A deployment whose server exits at once: --wait exits 1 once it is Degraded.
        try h.repo.write("manifests/broken.yaml", ControllerHarness.deployment(
            "broken", progressDeadlineSeconds: 15, extra: "  command: [\"false\"]"))
        let bad = try await h.commit("add a deployment that cannot start")
        #expect(try await h.waitForStatus { ($0["source"] as? [String: Any])?["commit"] as? String == bad }, "\(h.controllerLog)")
        let degraded = try await h.mooring(["status", "--wait", "--timeout", "90s"])
        #expect(degraded.status == 1, "\(degraded.output)\n\(h.controllerLog)")
        #expect(degraded.stderr.contains("Degraded"), "\(degraded.stderr)")
        #expect(degraded.stdout.range(of: #"broken\s+OutOfSync\s+Degraded"#, options: .regularExpression) != nil, "\(degraded.stdout)")
        // One line per deployment, even though the message quotes the replica's log.
        let table = degraded.stdout.split(separator: "\n").drop { !$0.hasPrefix("NAME") }
        #expect(table.count == 3 && table.dropFirst().allSatisfy { $0.hasPrefix("broken ") || $0.hasPrefix("iris ") }, "\(degraded.stdout)")
        let broken = try #require(try await h.deployment("broken"))
        #expect((broken["message"] as? String)?.contains("rollout of \(bad.prefix(7)) failed") == true, "\(broken)")
        // The healthy deployment is not affected by the broken one.
        let iris = try #require(try await h.deployment("iris"))
        #expect(iris["health"] as? String == "Healthy")
        #expect(try await h.servedVersion("iris") == "1")
        #expect(h.modelProcesses(of: "broken").isEmpty)
        }
    }

    @Test func planExitsZeroForNothingOneForChangesTwoForAnInvalidRef() async throws {
        try await ControllerHarness.with(name: "plan") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        let first = try h.repo.commitAll("deploy iris v1")
        // A pull request's branch bumping the model, and one whose manifests are broken.
        try h.repo.git("checkout", "-q", "-b", "bump")
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
        try h.repo.commitAll("iris: serve v2")
        try h.repo.git("checkout", "-q", "-b", "typo", "main")
        try h.repo.write("manifests/iris.yaml", SourceFlowTests.brokenIris)
        try h.repo.commitAll("iris: v2 with a typo")
        try h.repo.git("checkout", "-q", "main")

        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let pids = h.modelProcesses()
        let plan = ["plan", "--repo", h.repo.directory.path, "--branch", "main"]

        let nothing = try await h.mooring(plan)
        #expect(nothing.status == 0, "\(nothing.output)")
        #expect(nothing.stdout.contains("plan for \(first.prefix(7))"), "\(nothing.stdout)")
        #expect(nothing.stdout.contains("iris: no change"), "\(nothing.stdout)")
        #expect(nothing.stdout.contains("nothing to do"), "\(nothing.stdout)")

        let changes = try await h.mooring(plan + ["--ref", "bump"])
        #expect(changes.status == 1, "\(changes.output)")
        #expect(changes.stdout.contains("~ iris: update (rollout)"), "\(changes.stdout)")
        #expect(changes.stdout.contains("model.uri: models/iris-v1.json → models/iris-v2.json"), "\(changes.stdout)")
        #expect(changes.stdout.contains("1 deployment would change"), "\(changes.stdout)")

        let invalid = try await h.mooring(plan + ["--ref", "typo"])
        #expect(invalid.status == 2, "\(invalid.output)")
        #expect(invalid.output.contains("manifests/iris.yaml:9:3: error: "), "\(invalid.output)")
        #expect(invalid.stderr.contains("invalid"), "\(invalid.stderr)")

        let missing = try await h.mooring(plan + ["--ref", "no-such-branch"])
        #expect(missing.status == 2, "\(missing.output)")
        #expect(missing.stderr.contains("no-such-branch"), "\(missing.stderr)")

        // Planning changed nothing on the host.
        #expect(h.modelProcesses() == pids)
        #expect(try await h.servedVersion("iris") == "1")
        #expect(try await h.deployment("iris")?["appliedRevision"] as? String == first)
        }
    }
}
