import Foundation
import MooringSupervisor
import MooringTesting
import Testing

@Suite struct SupervisorRestartTests {
    @Test func killNineIsRestartedAfterBackoff() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "victim", replica: 0, generation: "g1")
            let first = try await run.supervisor.start(id, spec: run.spec(["sleep", "300"], restart: .always))
            let identity = try #require(first.identity)
            _ = try #require(await run.events.first("Ready", for: id))

            #expect(kill(identity.pid, SIGKILL) == 0)

            let backoff = try #require(await run.events.first("BackOff", for: id))
            #expect(backoff.snapshot.state == .backoff)
            #expect(backoff.snapshot.lastExit?.signal == SIGKILL)
            #expect(backoff.message.contains("SIGKILL"))
            #expect(!ProcessScan.exists(identity))  // reaped, not a zombie

            let restarted = await waitUntil {
                let snapshot = await run.supervisor.snapshot(id)
                return snapshot?.restarts == 1 && snapshot?.state == .ready
            }
            #expect(restarted)
            let second = try #require(await run.supervisor.snapshot(id)?.identity)
            #expect(second.pid != identity.pid)
            #expect(ProcessScan.isRunning(second))
            #expect(run.events.reasons(for: id).filter { $0 == "Started" }.count == 2)
        }
    }

    @Test func aCrashLoopIsReportedWithTheExitStatusAndLogTail() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "crashy", replica: 0, generation: "g1")
            let backoff = BackoffPolicy(initial: .milliseconds(10), max: .milliseconds(40), crashLoopThreshold: 3)
            var spec = run.spec(["sh", "-c", "echo loading model; echo 'boom: cannot load weights' >&2; exit 3"],
                                restart: .always, backoff: backoff)
            spec.logRotateBytes = 40
            spec.logKeep = 2
            _ = try await run.supervisor.start(id, spec: spec)

            let loop = try #require(await run.events.first("CrashLoop", for: id))
            #expect(loop.snapshot.state == .crashLoop)
            #expect(loop.snapshot.lastExit?.code == 3)
            #expect(loop.message.contains("exit code 3"))
            #expect(loop.message.contains("boom: cannot load weights"))
            #expect(loop.message.contains("loading model"))
            #expect(loop.snapshot.restarts >= 2)
            // The log was rotated by size, keeping two old files.
            let logs = run.directory.appending("logs")
            let names = try FileManager.default.contentsOfDirectory(atPath: logs.path).sorted()
            #expect(names.contains("replica.log.1"))
            #expect(!names.contains("replica.log.3"))

            await run.supervisor.stop(id)
            #expect(await run.supervisor.snapshot(id) == nil)
        }
    }

    @Test(arguments: [
        (RestartPolicy.never, 1, false),
        (.never, 0, false),
        (.onFailure, 0, false),
        (.onFailure, 7, true),
        (.always, 0, true),
    ])
    func theRestartPolicyIsHonoured(policy: RestartPolicy, exitCode: Int, restarts: Bool) async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "policy", replica: 0, generation: "g1")
            let backoff = BackoffPolicy(initial: .milliseconds(50), max: .milliseconds(100))
            _ = try await run.supervisor.start(
                id, spec: run.spec(["sh", "-c", "sleep 0.2; exit \(exitCode)"], restart: policy, backoff: backoff))
            let exited = try #require(await run.events.first("Exited", for: id))
            #expect(exited.snapshot.lastExit?.code == Int32(exitCode))
            if restarts {
                let restarted = await waitUntil { await run.supervisor.snapshot(id)?.restarts ?? 0 >= 1 }
                #expect(restarted)
            } else {
                // The decision is taken in the same actor turn as the Exited event.
                let snapshot = try #require(await run.supervisor.snapshot(id))
                #expect(snapshot.state == .exited)
                #expect(snapshot.restarts == 0)
                #expect(snapshot.message?.contains("not restarting") == true)
                #expect(!run.events.reasons(for: id).contains("BackOff"))
            }
        }
    }

    @Test func backoffWaitsForTheInjectedClock() async throws {
        let clock = ManualClock()
        try await withTestRun(clock: clock) { run in
            let id = ReplicaID(deployment: "clocked", replica: 0, generation: "g1")
            let backoff = BackoffPolicy(initial: .seconds(60), max: .seconds(300), jitterFraction: 0)
            _ = try await run.supervisor.start(id, spec: run.spec(["sh", "-c", "exit 1"], restart: .always, backoff: backoff))
            let first = try #require(await run.events.first("BackOff", for: id))
            #expect(first.message.contains("60"))
            #expect(await waitUntil { clock.sleeperCount == 1 })

            clock.advance(by: .seconds(59))
            #expect(clock.sleeperCount == 1)  // still waiting: nothing restarted yet
            #expect(await run.supervisor.snapshot(id)?.restarts == 0)

            clock.advance(by: .seconds(1))
            #expect(await waitUntil { await run.supervisor.snapshot(id)?.restarts == 1 })
            // It fails again: the second delay is doubled.
            let second = await waitUntil { run.events.reasons(for: id).filter { $0 == "BackOff" }.count == 2 }
            #expect(second)
            #expect(run.events.all.last { $0.reason == "BackOff" }?.message.contains("120") == true)
        }
    }
}
