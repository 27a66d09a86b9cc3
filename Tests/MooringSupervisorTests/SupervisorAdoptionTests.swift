import Foundation
@testable import MooringSupervisor
import MooringTesting
import Testing

@Suite struct SupervisorAdoptionTests {
    /// Starts the health server the way a previous controller would have left it: in its own
    /// session, and NOT a child of this process (the intermediate shell exits at once).
    func startOrphanServer(_ run: TestRun, port: Int) async throws -> ProcessIdentity {
        let script = try run.healthServerScript()
        let (key, value) = run.splitMarker()
        // Not Foundation's Process: it waits until every holder of its status pipe exits,
        // which the server (inheriting it) never does. Spawn the shell with every fd closed.
        let shell = try Spawner.spawnProcess(
            executable: "/bin/sh",
            arguments: ["sh", "-c", "setsid \(Fixtures.python) \(script) --port \(port) >orphan.log 2>&1 &"],
            environment: ProcessInfo.processInfo.environment.merging([key: value, "PORT": String(port)]) { $1 },
            workingDirectory: run.directory.path, logDescriptor: nil)
        var status: Int32 = 0
        #expect(waitpid(shell, &status, 0) == shell)
        // setsid(1) forks when its process happens to lead a group, so `$!` may name a parent
        // that exits at once: find the server itself — python running the script, leading its
        // own group.
        func server() -> Int32? {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap { Int32($0) }.first { pid in
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                return argv.first == Fixtures.python && argv.contains(script) && argv.contains(String(port))
                    && ProcessIdentity.current(pid: pid)?.processGroup == pid
            }
        }
        var found: Int32?
        #expect(await waitUntil {
            found = server()
            return found != nil
        })
        let pid = try #require(found)
        let identity = try #require(ProcessIdentity.current(pid: pid))
        run.remember(identity)
        return identity
    }

    /// Adopts, and on failure says why (the Gone event) and what the orphan printed.
    func adopt(_ run: TestRun, _ id: ReplicaID, _ spec: ReplicaSpec, _ identity: ProcessIdentity,
               sourceLocation: SourceLocation = #_sourceLocation) async throws -> ReplicaSnapshot {
        if let adopted = await run.supervisor.adopt(id, spec: spec, identity: identity) { return adopted }
        let gone = await run.events.first("Gone", for: id, timeout: .seconds(10))?.message ?? "no Gone event"
        let log = (try? String(contentsOf: run.directory.appending("orphan.log"), encoding: .utf8)) ?? "no orphan.log"
        Issue.record("adoption of \(identity) refused: \(gone); now \(String(describing: ProcessIdentity.current(pid: identity.pid))); orphan.log: \(log)",
                     sourceLocation: sourceLocation)
        throw TestingError("adoption refused")
    }

    @Test func aSecondSupervisorAdoptsAProcessThatIsNotItsChildWithoutRestartingIt() async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()
            let launchedAround = Date()
            let identity = try await startOrphanServer(run, port: port)
            #expect(identity.processGroup == identity.pid)
            let notOurs = await waitUntil {
                let status = try? String(contentsOfFile: "/proc/\(identity.pid)/stat", encoding: .utf8)
                return status?.contains(" \(getpid()) ") == false
            }
            #expect(notOurs)

            let id = ReplicaID(deployment: "orphan", replica: 0, generation: "g1")
            let spec = run.spec([Fixtures.python, try run.healthServerScript(), "--port", "{{port}}"], port: port,
                                health: .http(path: "/healthz", port: port), restart: .always)
            let adopted = try await adopt(run, id, spec, identity)
            #expect(adopted.identity == identity)
            #expect(adopted.state == .running)
            // Its age is the process's, not the adoption's (start time is read from /proc).
            let startedAt = try #require(adopted.startedAt)
            let launch = try #require(ProcessIdentity.current(pid: identity.pid)?.startDate)
            #expect(startedAt == launch)
            #expect(abs(launch.timeIntervalSince(launchedAround)) < 5)

            let ready = try #require(await run.events.first("Ready", for: id))
            #expect(ready.snapshot.identity == identity)
            #expect(ready.snapshot.restarts == 0)
            #expect(run.events.reasons(for: id) == ["Adopted", "Ready"])  // never Started

            // A port handed to an adopted replica is not handed out again.
            let other = try await run.supervisor.allocatePort()
            #expect(other != port)
            await run.supervisor.releasePort(other)

            // Its exit is seen through the pidfd even though we cannot reap it.
            await run.supervisor.stop(id)
            let stopped = try #require(await run.events.first("Stopped", for: id))
            #expect(stopped.snapshot.lastExit?.isKnown == false)
            #expect(!ProcessScan.isRunning(identity))
        }
    }

    @Test func anAdoptedProcessThatDiesIsRestartedByTheNewSupervisor() async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()
            let identity = try await startOrphanServer(run, port: port)
            let id = ReplicaID(deployment: "orphan", replica: 1, generation: "g1")
            let spec = run.spec([Fixtures.python, try run.healthServerScript(), "--port", "{{port}}"], port: port,
                                health: .http(path: "/healthz", port: port), restart: .always)
            _ = try await adopt(run, id, spec, identity)
            _ = try #require(await run.events.first("Ready", for: id))

            #expect(kill(identity.pid, SIGKILL) == 0)

            let exited = try #require(await run.events.first("Exited", for: id))
            #expect(exited.snapshot.lastExit?.isKnown == false)
            let restarted = await waitUntil {
                let snapshot = await run.supervisor.snapshot(id)
                return snapshot?.restarts == 1 && snapshot?.state == .ready
            }
            #expect(restarted)
            #expect(await run.supervisor.snapshot(id)?.identity?.pid != identity.pid)
        }
    }

    @Test func aReleasedReplicaIsAdoptedByAnotherSupervisorInstance() async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()
            let id = ReplicaID(deployment: "handover", replica: 0, generation: "g1")
            let spec = run.spec([Fixtures.python, try run.healthServerScript(), "--port", "{{port}}"], port: port,
                                health: .http(path: "/healthz", port: port), restart: .always)
            let started = try await run.supervisor.start(id, spec: spec)
            let identity = try #require(started.identity)
            _ = try #require(await run.events.first("Ready", for: id))
            await run.supervisor.release(id)

            try await withTestRun { second in
                let adopted = try #require(await second.supervisor.adopt(id, spec: spec, identity: identity))
                #expect(adopted.identity == identity)
                let ready = try #require(await second.events.first("Ready", for: id))
                #expect(ready.snapshot.identity == identity)
                #expect(!second.events.reasons(for: id).contains("Started"))
                await second.supervisor.stop(id)
                let stopped = try #require(await second.events.first("Stopped", for: id))
                #expect(stopped.snapshot.lastExit?.signal == SIGTERM)  // still our child: status known
            }
            #expect(!ProcessScan.exists(identity))
        }
    }

    @Test(arguments: ["startTime", "processGroup", "dead"])
    func anIdentityThatFailsVerificationIsGoneAndNeverSignalled(mismatch: String) async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "reused", replica: 0, generation: "g1")
            let started = try await run.supervisor.start(
                ReplicaID(deployment: "bystander", replica: 0, generation: "g1"), spec: run.spec(["sleep", "300"]))
            let live = try #require(started.identity)
            // The bystander is up and ready before anyone tries to adopt its pid.
            _ = try #require(await run.events.first("Ready", for: ReplicaID(deployment: "bystander", replica: 0, generation: "g1")))
            var recorded = live
            switch mismatch {
            case "startTime": recorded.startTime += 1
            case "processGroup": recorded.processGroup += 1
            default: recorded.pid = Int32.max - 7  // no such process
            }
            try await withTestRun { second in
                let adopted = await second.supervisor.adopt(id, spec: second.spec(["sleep", "300"]), identity: recorded)
                #expect(adopted == nil)
                let gone = try #require(await second.events.first("Gone", for: id))
                #expect(gone.message.contains("gone"))
                #expect(await second.supervisor.snapshot(id) == nil)
            }
            // The bystander that owns the pid was not touched.
            #expect(ProcessScan.isRunning(live))
            #expect(run.events.reasons(for: ReplicaID(deployment: "bystander", replica: 0, generation: "g1")) == ["Started", "Ready"])
        }
    }
}
