import Foundation
import MooringTesting
import Testing

/// `status` never echoes a stale word: with no controller it checks the recorded
/// processes itself, and a rejected tip is OutOfSync; `--wait` fails at once on both.
@Suite struct HonestStatusTests {
    @Test func controllerStoppedAndModelKilledIsNotHealthyAndWaitFailsAtOnce() async throws {
        try await ControllerHarness.with(name: "honest") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            let controller = try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            controller.send(SIGTERM)
            #expect(await controller.waitForExit(timeout: .seconds(30)) != nil)
            let pid = try #require(h.modelProcesses().first)
            #expect(kill(pid, SIGKILL) == 0)
            #expect(await waitUntil { !ControllerHarness.isAlive(pid) })

            let row = try #require(try await h.deployment("iris"))
            #expect(row["health"] as? String == "Unknown", "\(row)")
            let message = try #require(row["message"] as? String)
            #expect(message.contains("controller not running"), "\(message)")
            #expect(message.contains("pid \(pid)") && message.contains("gone"), "\(message)")

            let clock = ContinuousClock()
            let started = clock.now
            let wait = try await h.mooring(["status", "--wait", "--timeout", "5m"])
            #expect(wait.status == 1, "\(wait.output)")
            #expect(clock.now - started < .seconds(60), "status --wait waited instead of failing at once")
            #expect(wait.stderr.contains("Unknown"), "\(wait.stderr)")
        }
    }

    @Test func rejectedTipIsOutOfSyncWithItsDiagnosticAndWaitFailsAtOnce() async throws {
        try await ControllerHarness.with(name: "rejected") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, extra: "  replicas: many"))
            let broken = try await h.commit("iris: v2 with a typo")
            #expect(try await h.waitForStatus { status in
                let rows = status["deployments"] as? [[String: Any]] ?? []
                return rows.first?["sync"] as? String == "OutOfSync"
            }, "\(h.controllerLog)")
            let row = try #require(try await h.deployment("iris"))
            let message = try #require(row["message"] as? String)
            #expect(message.hasPrefix("commit \(broken.prefix(7)) rejected: manifests/iris.yaml:"), "\(message)")
            #expect(row["health"] as? String == "Healthy", "v1 keeps serving")
            #expect(row["appliedRevision"] as? String == first)

            let clock = ContinuousClock()
            let started = clock.now
            let wait = try await h.mooring(["status", "--wait", "--timeout", "5m"])
            #expect(wait.status == 1, "\(wait.output)")
            #expect(clock.now - started < .seconds(60), "status --wait waited instead of failing at once")
            #expect(wait.stderr.contains("rejected"), "\(wait.stderr)")
        }
    }
}
