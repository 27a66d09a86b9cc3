import Foundation
import MooringSupervisor
import MooringTesting
import Testing

@Suite struct SupervisorProbeTests {
    enum Kind: String, CaseIterable { case http, tcp, exec }

    @Test(arguments: Kind.allCases)
    func eachProbeKindGatesReadiness(kind: Kind) async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()
            let health: HealthCheck = switch kind {
            case .http: .http(path: "/healthz", port: port)
            case .tcp: .tcp(port: port)
            // Runs in the replica's environment and directory, like the replica itself.
            case .exec: .exec(command: ["sh", "-c", "grep -q \"serving on $PORT\" logs/replica.log"])
            }
            let id = ReplicaID(deployment: "probe-\(kind)", replica: 0, generation: "g1")
            let spec = run.spec([Fixtures.python, try run.healthServerScript()], port: port, health: health)
            _ = try await run.supervisor.start(id, spec: spec)
            let ready = try #require(await run.events.first("Ready", for: id))
            #expect(ready.snapshot.state == .ready)
            // Readiness means the server answers.
            #expect(try runCommand("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/healthz"]).stdout == "ok")
        }
    }

    @Test func failingProbesMakeAReplicaUnreadyAndPassingOnesReadyAgain() async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()
            let flag = run.directory.appending("unhealthy")
            let id = ReplicaID(deployment: "flaky", replica: 0, generation: "g1")
            let spec = run.spec([Fixtures.python, try run.healthServerScript()], port: port,
                                health: .http(path: "/healthz", port: port), restart: .always,
                                environment: ["UNHEALTHY_FILE": flag.path])
            _ = try await run.supervisor.start(id, spec: spec)
            _ = try #require(await run.events.first("Ready", for: id))

            try Data().write(to: flag)
            let unready = try #require(await run.events.first("Unready", for: id))
            #expect(unready.snapshot.state == .running)
            #expect(unready.snapshot.readySince == nil)
            #expect(unready.message.contains("HTTP 503"))
            #expect(unready.message.contains("2 probes failed"))

            try FileManager.default.removeItem(at: flag)
            #expect(await waitUntil { run.events.reasons(for: id).filter { $0 == "Ready" }.count == 2 })
            let snapshot = try #require(await run.supervisor.snapshot(id))
            #expect(snapshot.state == .ready)
            #expect(snapshot.restarts == 0)  // unready is not a restart
        }
    }

    @Test func shutdownLeavesModelsRunningAndEndsTheEventStream() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "survivor", replica: 0, generation: "g1")
            let spec = run.spec(["sleep", "300"], restart: .always)
            let started = try await run.supervisor.start(id, spec: spec)
            let identity = try #require(started.identity)
            _ = try #require(await run.events.first("Ready", for: id))
            await run.supervisor.shutdown()
            #expect(ProcessScan.isRunning(identity))
            #expect(await run.supervisor.snapshots().isEmpty)

            // The next supervisor takes it over and stops it.
            try await withTestRun { next in
                _ = try #require(await next.supervisor.adopt(id, spec: spec, identity: identity))
                await next.supervisor.stop(id)
                #expect(try #require(await next.events.first("Stopped", for: id)).snapshot.lastExit?.signal == SIGTERM)
            }
        }
    }

    @Test func aReplicaThatExitedForGoodCanBeStartedAgain() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "again", replica: 0, generation: "g1")
            let spec = run.spec(["sh", "-c", "echo run; exit 0"], restart: .never)
            _ = try await run.supervisor.start(id, spec: spec)
            _ = try #require(await run.events.first("Exited", for: id))
            let second = try await run.supervisor.start(id, spec: spec)
            #expect(second.state == .starting)
            #expect(await waitUntil { run.events.reasons(for: id).filter { $0 == "Exited" }.count == 2 })
            let log = try String(contentsOf: run.directory.appending("logs/replica.log"), encoding: .utf8)
            // Appended, not overwritten; the supervisor's timestamped line before each process.
            let lines = log.split(separator: "\n")
            #expect(lines.filter { !ReplicaLogMarker.isStartLine($0) } == ["run", "run"], "\(log)")
            #expect(lines.filter { ReplicaLogMarker.isStartLine($0) }.count == 2, "\(log)")
            #expect(ReplicaLogMarker.isStartLine(lines[0]) && lines[0].contains("mooring: starting \(id) (sh)"), "\(log)")
        }
    }

    @Test func theLogOfARunningReplicaIsRotatedBySize() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "chatty", replica: 0, generation: "g1")
            let script = "i=0; while [ $i -lt 4 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); sleep 0.1; done; "
                + "touch done.flag; exec sleep 300"
            var spec = run.spec(["sh", "-c", script], probe: ProbePolicy(period: .milliseconds(100)))
            spec.logRotateBytes = 60
            spec.logKeep = 2
            _ = try await run.supervisor.start(id, spec: spec)
            let log = run.directory.appending("logs/replica.log")
            #expect(await waitUntil {
                FileManager.default.fileExists(atPath: run.directory.appending("done.flag").path)
                    && FileManager.default.fileExists(atPath: log.path + ".1")
            })
            #expect(!FileManager.default.fileExists(atPath: log.path + ".3"))
            let rotated = try String(contentsOfFile: log.path + ".1", encoding: .utf8)
            #expect(rotated.contains("line-"))
        }
    }
}
