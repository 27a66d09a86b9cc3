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
}
