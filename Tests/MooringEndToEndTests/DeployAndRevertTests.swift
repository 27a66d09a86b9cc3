import Foundation
import MooringTesting
import Testing

/// The first two user flows, end to end: deploy by merging a pull request, roll back with
/// `git revert` — through the built binary, a real repository and real model servers.
@Suite(.timeLimit(.minutes(5)))
struct DeployAndRevertTests {
    @Test func deployByMergeThenRollBackByRevert() async throws {
        try await ControllerHarness.with(name: "merge") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        let first = try h.repo.commitAll("deploy iris v1")
        try h.startController()

        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(try await h.servedVersion("iris") == "1")
        let v1Processes = h.modelProcesses()
        #expect(v1Processes.count == 1)

        // A pull request bumps the model version on a feature branch, then is merged.
        try h.repo.git("checkout", "-q", "-b", "bump-v2")
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
        try h.repo.commitAll("iris: serve v2")
        try h.repo.git("checkout", "-q", "main")
        try h.repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1 from bump-v2", "bump-v2")
        let merge = try h.repo.revParse()
        // `mooring sync` waits for the fetch and says what it changed.
        let sync = try await h.mooring(["sync"])
        #expect(sync.status == 0, "\(sync.output)")
        // (The controller's own poll may have found the merge first; either way it says so.)
        #expect(sync.stdout.contains("fetched \(merge.prefix(7)) \"Merge pull request #1 from bump-v2\": "), "\(sync.output)")
        if !sync.stdout.contains("iris rolling out") {
            // Only true when the controller's own poll found the merge and finished the
            // rollout before the sync's poll: then v2 was already applied.
            let applied = try await h.deployment("iris")?["appliedRevision"] as? String
            #expect(sync.stdout.contains("no deployment changed") && applied == merge, "\(sync.output) (applied: \(applied ?? "-"))")
        }

        #expect(try await h.waitUntilServing("iris", at: merge), "\(h.controllerLog)")
        #expect(try await h.servedVersion("iris") == "2")
        // The old replica is gone: one model process, not the v1 one.
        #expect(await waitUntil { h.modelProcesses().count == 1 })
        #expect(Set(h.modelProcesses()).isDisjoint(with: v1Processes))

        let status = try await h.mooring(["status"])
        #expect(status.stdout.contains(String(merge.prefix(7))))
        #expect(status.stdout.range(of: #"iris\s+Synced\s+Healthy\s+1/1"#, options: .regularExpression) != nil, "\(status.stdout)")
        let history = try await h.mooring(["history", "iris"])
        #expect(history.stdout.range(of: "iris\\s+\(merge.prefix(7))\\s+\(first.prefix(7))\\s+Surge\\s+Succeeded", options: .regularExpression) != nil, "\(history.stdout)")

        // Roll back with git revert of the merge.
        try h.repo.git("revert", "--no-edit", "-m", "1", "HEAD")
        let revert = try h.repo.revParse()
        _ = try? await h.mooring(["sync"])
        #expect(try await h.waitUntilServing("iris", at: revert), "\(h.controllerLog)")
        let again = try await h.mooring(["sync"])
        #expect(again.stdout.contains("fetched \(revert.prefix(7))") && again.stdout.contains("no deployment changed"), "\(again.output)")
        #expect(try await h.mooring(["sync", "nosuch"]).status == 1)
        #expect(try await h.servedVersion("iris") == "1")
        #expect(try await h.mooring(["status"]).stdout.contains(String(revert.prefix(7))))
        #expect(await waitUntil { h.modelProcesses().count == 1 })
        }
    }
}
