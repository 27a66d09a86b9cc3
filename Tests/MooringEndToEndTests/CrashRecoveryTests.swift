import Foundation
import MooringTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The controller and the model processes die in ways nobody planned: the models keep
/// serving without the controller, a new controller adopts them, an interrupted rollout
/// converges, a killed model is restarted, a crash loop says why.
@Suite(.timeLimit(.minutes(5)))
struct CrashRecoveryTests {
    @Test func controllerKilledWhileModelsRunAdoptsThemWithoutRestart() async throws {
        try await ControllerHarness.with(name: "adopt") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 2))
        let first = try h.repo.commitAll("deploy iris v1 x2")
        let controller = try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses().count == 2 })
        let before = h.modelProcesses()
        let ports = before.compactMap(ControllerHarness.servingPort(of:))
        #expect(ports.count == 2)

        #expect(await h.killHard(controller) != nil)
        // The data plane does not need the control plane.
        #expect(try await h.status()?["source"].flatMap { ($0 as? [String: Any])?["controllerRunning"] as? Bool } == false)
        for port in ports { #expect(await h.servedVersion("iris", port: port) == "1") }
        #expect(h.modelProcesses() == before)

        let second = try h.startController()
        #expect(try await waitUntil(timeout: .seconds(90)) { try await h.events("iris", reason: "Adopted").count == 2 },
                "\(h.output(["events"]))\n\(h.controllerLog)")
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            return source?["controllerPid"] as? Int == Int(second.pid)
        })
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        // Same processes, same ports, still answering: adopted, not restarted.
        #expect(h.modelProcesses() == before)
        for port in ports { #expect(await h.servedVersion("iris", port: port) == "1") }
        #expect(try await h.events("iris", reason: "ReplicaGone").isEmpty)
        #expect(try await h.events(nil, reason: "OrphansStopped").isEmpty)
        let row = try #require(try await h.deployment("iris"))
        #expect(row["readyReplicas"] as? Int == 2)

        // The adopted replicas are supervised again: one that dies is restarted...
        let victim = before[0]
        #expect(kill(victim, SIGKILL) == 0)
        #expect(await waitUntil(timeout: .seconds(60)) {
            let now = h.modelProcesses()
            return now.count == 2 && !now.contains(victim) && now.contains(before[1])
        }, "\(h.modelProcesses())\n\(h.output(["events", "iris"]))\n\(h.controllerLog)")
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(try await waitUntil {
            try await h.deployment("iris")?["readyReplicas"] as? Int == 2
        }, "\(h.output(["status"]))")
        for pid in h.modelProcesses() {
            let port = try #require(ControllerHarness.servingPort(of: pid))
            #expect(await waitUntil { await h.servedVersion("iris", port: port) == "1" })
        }
        #expect(try await !h.events("iris", reason: "Exited").isEmpty, "\(h.output(["events", "iris"]))")

        // ...and a rollout replaces them.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, replicas: 2))
        let next = try await h.commit("iris: v2")
        #expect(try await h.waitUntilServing("iris", at: next), "\(h.controllerLog)")
        #expect(await waitUntil { let now = h.modelProcesses(); return now.count == 2 && Set(now).isDisjoint(with: before) },
                "\(h.modelProcesses()) vs \(before)")
        #expect(try await h.servedVersion("iris") == "2")
        }
    }

    @Test func modelThatDiesWhileNoControllerRunsIsStartedAgain() async throws {
        try await ControllerHarness.with(name: "vanish") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 2))
        let first = try h.repo.commitAll("deploy iris v1 x2")
        let controller = try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses().count == 2 })
        let before = h.modelProcesses()

        #expect(await h.killHard(controller) != nil)
        #expect(kill(before[0], SIGKILL) == 0)
        #expect(await waitUntil { !ControllerHarness.isAlive(before[0]) })

        try h.startController()
        #expect(try await waitUntil(timeout: .seconds(60)) { try await !h.events("iris", reason: "ReplicaGone").isEmpty },
                "\(h.output(["events", "iris"]))\n\(h.controllerLog)")
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses().count == 2 }, "\(h.modelProcesses())")
        let after = h.modelProcesses()
        #expect(after.contains(before[1]), "the surviving replica is adopted, not restarted")
        #expect(!after.contains(before[0]))
        #expect(try await h.events("iris", reason: "ReplicaGone").count == 1, "\(h.output(["events", "iris"]))")
        #expect(try await h.events("iris", reason: "Adopted").count == 1, "\(h.output(["events", "iris"]))")
        let ports = after.compactMap(ControllerHarness.servingPort(of:))
        #expect(Set(ports).count == 2)
        for port in ports { #expect(await waitUntil { await h.servedVersion("iris", port: port) == "1" }) }
        #expect(try await h.deployment("iris")?["readyReplicas"] as? Int == 2)
        }
    }

    @Test func controllerKilledMidRolloutConvergesWithoutOrphansOrDuplicates() async throws {
        try await ControllerHarness.with(name: "midroll") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 2))
        let first = try h.repo.commitAll("deploy iris v1 x2")
        let controller = try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(await waitUntil { h.modelProcesses().count == 2 })
        let v1 = Set(h.modelProcesses())

        // v2 must stay healthy for 10 minutes before it is promoted: the controller is killed
        // inside that window whatever the machine's load.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment(
            "iris", version: 2, replicas: 2, minHealthySeconds: 600, progressDeadlineSeconds: 900))
        _ = try await h.commit("iris: v2, long gate")
        var v2: Set<Int32> = []
        let newReplicasReady = await waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) {
            v2 = Set(h.modelProcesses()).subtracting(v1)
            guard v2.count == 2 else { return false }
            for pid in v2 {
                guard let port = ControllerHarness.servingPort(of: pid), await h.isReady(port: port) else { return false }
            }
            return true
        }
        #expect(newReplicasReady, "\(h.controllerLog)")
        // Not promoted yet.
        #expect(try await h.deployment("iris")?["appliedRevision"] as? String == first)
        #expect(await h.killHard(controller) != nil)
        #expect(try await h.deployment("iris")?["appliedRevision"] as? String == first, "killed after the promotion: the test needs a longer gate")
        #expect(h.modelProcesses().count == 4)

        // While no controller runs, the gate is shortened in Git; the restarted controller
        // finds the interrupted rollout and converges on the tip.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, replicas: 2, minHealthySeconds: 1))
        let second = try h.repo.commitAll("iris: v2, short gate")
        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
        #expect(try await h.servedVersion("iris") == "2")
        // Exactly two model processes, none of them v1, each on its own port serving v2.
        #expect(await waitUntil { h.modelProcesses().count == 2 }, "\(h.modelProcesses())")
        let final = h.modelProcesses()
        #expect(Set(final).isDisjoint(with: v1))
        // The interrupted rollout's replicas were adopted and gated, not started again.
        #expect(Set(final) == v2, "v2 replicas before the kill: \(v2), after: \(final)")
        let ports = final.compactMap(ControllerHarness.servingPort(of:))
        #expect(ports.count == 2 && Set(ports).count == 2, "\(ports)")
        for port in ports { #expect(await h.servedVersion("iris", port: port) == "2") }
        let row = try #require(try await h.deployment("iris"))
        #expect(row["readyReplicas"] as? Int == 2)
        #expect(row["replicas"] as? Int == 2)
        #expect(row["sync"] as? String == "Synced")
        // It stays that way: nothing left over starts or stops later.
        try await Task.sleep(for: .seconds(2))
        #expect(h.modelProcesses() == final)

        #expect(try await h.events(nil, reason: "OrphansStopped").isEmpty, "\(h.output(["events"]))")
        #expect(try await !h.events("iris", reason: "RolloutResumed").isEmpty, "\(h.output(["events", "iris"]))")
        let history = try await h.history("iris")
        #expect(history.last?["outcome"] as? String == "Succeeded")
        #expect(history.last?["revision"] as? String == second)
        #expect(!history.contains { $0["outcome"] as? String == "InProgress" }, "\(h.output(["history", "iris"]))")
        }
    }

    @Test func killedModelIsRestartedAndACrashLoopSaysDegradedWithTheExitStatus() async throws {
        try await ControllerHarness.with(name: "modelkill") { h in
        // The example server, behind a switch: while the file exists it exits with code 3.
        let crashFlag = h.directory.appending("crash").path
        let server = "{{revision.dir}}/examples/servers/kserve_v2_server.py --model {{model.path}} --port {{port}} --name {{name}}"
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment(
            "iris", version: 1,
            extra: "  command: [\"sh\", \"-c\", \"if [ -e \(crashFlag) ]; then sleep 0.3; exit 3; fi; exec python3 \(server)\"]"))
        let first = try h.repo.commitAll("deploy iris v1 behind a crash switch")
        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let original = try #require(h.modelProcesses().first)
        #expect(h.modelProcesses().count == 1)

        // kill -9 by hand: the supervisor restarts it (after a backoff) and it serves again.
        #expect(kill(original, SIGKILL) == 0)
        #expect(await waitUntil(timeout: .seconds(60)) {
            let now = h.modelProcesses()
            return now.count == 1 && now != [original]
        }, "\(h.controllerLog)")
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(try await waitUntil { try await h.servedVersion("iris") == "1" })
        let restarted = try #require(h.modelProcesses().first)
        #expect(restarted != original)
        let exits = try await h.events("iris", reason: "Exited")
        #expect(exits.contains { ($0["message"] as? String ?? "").contains("signal 9") }, "\(h.output(["events", "iris"]))")
        let restarts = try await h.events("iris").filter { ["BackOff", "Started"].contains($0["reason"] as? String ?? "") }
        #expect(restarts.contains { ($0["message"] as? String ?? "").contains("restarting in") }, "\(h.output(["events", "iris"]))")

        // Now it crashes at every start: a crash loop, Degraded with the exit status.
        #expect(FileManager.default.createFile(atPath: crashFlag, contents: Data()))
        #expect(kill(restarted, SIGKILL) == 0)
        #expect(try await h.waitForStatus { _ in try await h.deployment("iris")?["health"] as? String == "Degraded" },
                "\(h.controllerLog)")
        let row = try #require(try await h.deployment("iris"))
        let message = row["message"] as? String ?? ""
        #expect(message.contains("crash-looping"), "\(message)")
        #expect(message.contains("code 3"), "\(message)")
        #expect(row["readyReplicas"] as? Int == 0)
        // Git did not change: still synced to the same revision.
        #expect(row["sync"] as? String == "Synced")
        #expect(row["appliedRevision"] as? String == first)
        #expect(try await !h.events("iris", reason: "CrashLoop").isEmpty)
        let table = try await h.mooring(["status"]).stdout
        #expect(table.range(of: #"iris\s+Synced\s+Degraded"#, options: .regularExpression) != nil, "\(table)")
        #expect(table.contains("code 3"), "\(table)")

        // The cause goes away: the next restart serves again and the deployment is Healthy.
        try FileManager.default.removeItem(atPath: crashFlag)
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(try await waitUntil { try await h.servedVersion("iris") == "1" })
        #expect(try await h.deployment("iris")?["message"] as? String == "")
        #expect(h.modelProcesses().count == 1)
        }
    }
}
