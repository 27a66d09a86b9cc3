import Foundation
import MooringSupervisor
import MooringTesting
import Testing

@Suite struct SupervisorStartTests {
    @Test func aServerBecomesReadyInItsOwnSessionWithItsPortAndLog() async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()
            let id = ReplicaID(deployment: "iris", replica: 0, generation: "g1")
            let spec = run.spec([Fixtures.python, try run.healthServerScript(), "--port", "{{port}}"], port: port,
                                health: .http(path: "/healthz", port: port), log: "iris/0.log")
            let started = try await run.supervisor.start(id, spec: spec)
            #expect(started.state == .starting)
            let identity = try #require(started.identity)

            let ready = try #require(await run.events.first("Ready", for: id))
            #expect(ready.snapshot.state == .ready)
            #expect(ready.snapshot.readySince != nil)
            #expect(await run.supervisor.snapshot(id)?.state == .ready)

            // Its own session and process group, so it outlives the supervisor.
            let stat = try String(contentsOfFile: "/proc/\(identity.pid)/stat", encoding: .utf8)
            let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
            #expect(fields[2] == "\(identity.pid)")  // process group
            #expect(fields[3] == "\(identity.pid)")  // session
            #expect(identity.processGroup == identity.pid)
            #expect(ProcessIdentity.current(pid: identity.pid) == identity)

            // {{port}} and PORT both reached the process; output went to the log.
            let log = try String(contentsOf: run.directory.appending("logs/iris/0.log"), encoding: .utf8)
            #expect(log.contains("serving on \(port) PORT=\(port)"))

            await run.supervisor.stop(id)
            let stopped = try #require(await run.events.first("Stopped", for: id))
            #expect(stopped.snapshot.state == .exited)
            #expect(stopped.snapshot.lastExit?.signal == SIGTERM)
            #expect(!ProcessScan.exists(identity))
            #expect(await run.supervisor.snapshot(id) == nil)
        }
    }

    @Test func aReplicaThatNeverBecomesHealthyHitsTheStartupTimeout() async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()  // nothing will listen on it
            let id = ReplicaID(deployment: "mute", replica: 0, generation: "g1")
            let probe = ProbePolicy(startupTimeout: .milliseconds(800), period: .milliseconds(200),
                                    startupPeriod: .milliseconds(100), timeout: .milliseconds(500))
            let spec = run.spec(["sleep", "300"], port: port, health: .http(path: "/healthz", port: port),
                                probe: probe, restart: .never)
            _ = try await run.supervisor.start(id, spec: spec)

            let timeout = try #require(await run.events.first("StartupTimeout", for: id))
            #expect(timeout.message.contains("127.0.0.1:\(port)"))
            let exited = try #require(await run.events.first("Exited", for: id))
            #expect(exited.snapshot.lastExit?.signal == SIGTERM)
            #expect(exited.message.contains("did not become healthy"))
            #expect(!run.events.reasons(for: id).contains("Ready"))
            let final = try #require(await run.supervisor.snapshot(id))
            #expect(final.state == .exited)
            #expect(final.restarts == 0)
        }
    }

    @Test(arguments: [
        (["definitely-not-a-command-mooring"], "executableNotFound"),
        (["/nonexistent/mooring/bin/server"], "executableNotFound"),
        (["./not-executable.sh"], "notExecutable"),
        (["./a-directory"], "notExecutable"),
        ([String](), "emptyCommand"),
    ])
    func aCommandThatCannotRunIsAClearErrorNotACrash(arguments: [String], code: String) async throws {
        try await withTestRun { run in
            try run.directory.write("not-executable.sh", "#!/bin/sh\necho hi\n")
            try FileManager.default.createDirectory(at: run.directory.appending("a-directory"), withIntermediateDirectories: true)
            let id = ReplicaID(deployment: "broken", replica: 0, generation: "g1")
            let error = await #expect(throws: SupervisorError.self) {
                _ = try await run.supervisor.start(id, spec: run.spec(arguments))
            }
            #expect(error.map { "\($0.code)" } == code)
            if let first = arguments.first {
                #expect(error?.message.contains(first.replacingOccurrences(of: "./", with: "")) == true)
            }
            #expect(await run.supervisor.snapshot(id) == nil)
            #expect(run.events.all.isEmpty)
        }
    }
}
