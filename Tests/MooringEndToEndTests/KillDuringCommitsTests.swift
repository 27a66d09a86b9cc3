import Foundation
import MooringTesting
import Testing

/// Twenty rounds of "commit, wait a random 0–3 s, SIGKILL the controller, start it
/// again" converge: exactly `spec.replicas` processes, no orphan, Synced and Healthy at the tip.
@Suite struct KillDuringCommitsTests {
    /// A small seeded generator, so a failing run can be replayed (the seed is printed).
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func twentyKillsAtRandomMomentsConverge() async throws {
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var random = SplitMix(state: seed)
        try await ControllerHarness.with(name: "kills") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 2))
            var tip = try h.repo.commitAll("deploy iris v1 x2")
            var controller = try h.startController()
            #expect(try await h.waitUntilServing("iris", at: tip), "\(h.controllerLog)")

            var replicas = 2
            for round in 1...20 {
                let version = round % 2 == 0 ? 1 : 2
                replicas = round % 5 == 0 ? 3 : 2
                try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: version, replicas: replicas))
                tip = try await h.commit("iris: v\(version) x\(replicas) (round \(round))")
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...3000, using: &random)))
                #expect(await h.killHard(controller) != nil, "seed \(seed), round \(round)")
                controller = try h.startController()
            }
            let expectedVersion = "1" // round 20 is even: v1
            #expect(try await h.waitUntilServing("iris", at: tip, timeout: .seconds(120)),
                    "seed \(seed)\n\(h.output(["events", "iris"]))\n\(h.controllerLog)")
            #expect(await waitUntil(timeout: .seconds(60)) { h.modelProcesses().count == replicas },
                    "seed \(seed): \(h.modelProcesses())\n\(h.output(["events", "iris"]))")
            let row = try #require(try await h.deployment("iris"))
            #expect(row["readyReplicas"] as? Int == replicas, "seed \(seed)")
            #expect(row["sync"] as? String == "Synced", "seed \(seed)")
            let ports = h.modelProcesses().compactMap(ControllerHarness.servingPort(of:))
            #expect(Set(ports).count == replicas, "seed \(seed): one process per port, none stray: \(ports)")
            for port in ports {
                #expect(await h.servedVersion("iris", port: port) == expectedVersion, "seed \(seed)")
            }
            // Nothing in flight is left: no rollout in progress in history.
            let history = try await h.history("iris")
            #expect(!history.contains { $0["outcome"] as? String == "InProgress" }, "seed \(seed)\n\(h.output(["history", "iris"]))")
        }
    }
}
