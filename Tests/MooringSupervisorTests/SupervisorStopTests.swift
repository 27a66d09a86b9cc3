import Foundation
import MooringSupervisor
import MooringTesting
import Testing

@Suite struct SupervisorStopTests {
    @Test func aGracefulStopAlsoEndsAGrandchild() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "family", replica: 0, generation: "g1")
            let script = "sleep 300 & echo $! > grandchild.pid; wait"
            let started = try await run.supervisor.start(id, spec: run.spec(["sh", "-c", script], grace: .seconds(10)))
            let parent = try #require(started.identity)
            let pidFile = run.directory.appending("grandchild.pid")
            var grandchildPid: Int32?
            #expect(await waitUntil {
                grandchildPid = (try? String(contentsOf: pidFile, encoding: .utf8))
                    .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                return grandchildPid != nil
            })
            let grandchildID = try #require(grandchildPid)
            let grandchild = try #require(ProcessIdentity.current(pid: grandchildID))
            run.remember(grandchild)
            #expect(grandchild.processGroup == parent.processGroup)

            await run.supervisor.stop(id)

            let stopped = try #require(await run.events.first("Stopped", for: id))
            #expect(stopped.snapshot.lastExit?.signal == SIGTERM)
            #expect(!ProcessScan.exists(parent))
            #expect(!ProcessScan.isRunning(grandchild))
            // cleanUp() then waits for init to reap the orphaned grandchild.
        }
    }

    @Test func aProcessIgnoringSIGTERMIsKilledAfterTheGracePeriod() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "stubborn", replica: 0, generation: "g1")
            let script = "trap '' TERM; echo trapped; while :; do sleep 1; done"
            _ = try await run.supervisor.start(
                id, spec: run.spec(["sh", "-c", script], grace: .milliseconds(300)))
            let log = run.directory.appending("logs/replica.log")
            #expect(await waitUntil { (try? String(contentsOf: log, encoding: .utf8))?.contains("trapped") == true })

            await run.supervisor.stop(id)

            let stopped = try #require(await run.events.first("Stopped", for: id))
            #expect(stopped.snapshot.lastExit?.signal == SIGKILL)
            #expect(run.events.reasons(for: id).suffix(2) == ["Stopping", "Stopped"])
        }
    }

    @Test func releaseLeavesTheProcessRunning() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "keep", replica: 0, generation: "g1")
            let started = try await run.supervisor.start(id, spec: run.spec(["sleep", "300"], restart: .always))
            let identity = try #require(started.identity)
            await run.supervisor.release(id)
            #expect(await run.supervisor.snapshot(id) == nil)
            #expect(ProcessScan.isRunning(identity))
            kill(-identity.processGroup, SIGKILL)
            // Reaped by nobody yet (we released it): reap it here so it is not left a zombie.
            var status: Int32 = 0
            #expect(waitpid(identity.pid, &status, 0) == identity.pid)
        }
    }

    @Test func stoppingFiftyReplicasInOneBatchLeavesNothingBehind() async throws {
        try await withTestRun { run in
            // Each leader has a child that, on SIGTERM, lingers a moment after the leader
            // has exited: the stop must wait for the whole group, not just the leader.
            let script = "(trap 'sleep 0.3; exit 0' TERM; while :; do sleep 1; done) & trap 'exit 0' TERM; wait"
            var replicas: [(ReplicaID, ProcessIdentity)] = []
            for index in 0..<50 {
                let id = ReplicaID(deployment: "batch-\(index)", replica: 0, generation: "g1")
                let started = try await run.supervisor.start(
                    id, spec: run.spec(["sh", "-c", script], grace: .seconds(20), log: "batch-\(index).log"))
                replicas.append((id, try #require(started.identity)))
            }
            let groups = replicas.map(\.1.processGroup)
            // Leader and child are both running in every group.
            #expect(await waitUntil(timeout: .seconds(60)) {
                let sizes = ProcessScan.liveGroupSizes()
                return groups.allSatisfy { sizes[$0, default: 0] >= 2 }
            })

            await run.supervisor.stop(replicas.map(\.0))

            #expect(await run.supervisor.snapshots().isEmpty)
            let sizes = ProcessScan.liveGroupSizes()
            #expect(groups.filter { sizes[$0] != nil }.isEmpty, "groups with live members after the stop")
            for (id, identity) in replicas {
                let stopped = await run.events.first("Stopped", for: id)
                #expect(stopped?.snapshot.lastExit?.code == 0, "\(id) did not exit through its TERM trap")
                #expect(!ProcessScan.exists(identity))
            }
        }
    }
}

