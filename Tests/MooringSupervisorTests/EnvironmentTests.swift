import Foundation
import MooringSupervisor
import MooringTesting
import Testing

/// What environment a replica process sees.
struct EnvironmentTests {
    @Test(arguments: [true, false])
    func theSupervisorsOwnEnvironmentIsPassedOnlyWhenAskedFor(inherits: Bool) async throws {
        try await withTestRun { run in
            let port = try await run.supervisor.allocatePort()
            let id = ReplicaID(deployment: "env", replica: 0, generation: inherits ? "inherit" : "clean")
            let out = run.directory.appending("env.txt").path
            var spec = run.spec(["/bin/sh", "-c", "env > \(out); exec sleep 30"], port: port,
                                environment: ["PATH": "/usr/bin:/bin", "MODEL_PATH": "/m"])
            spec.inheritsEnvironment = inherits
            // A variable only this test process has.
            let own = ProcessInfo.processInfo.environment.keys.first { !["PATH", "PWD", "SHLVL", "_"].contains($0) }
            _ = try await run.supervisor.start(id, spec: spec)
            #expect(await waitUntil { ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("PORT=") })
            let env = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(env.contains("MODEL_PATH=/m"))
            #expect(env.contains("PORT=\(port)"))
            if let own {
                #expect(env.contains { $0.hasPrefix("\(own)=") } == inherits, "\(own) \(inherits ? "missing" : "leaked")")
            }
            await run.supervisor.stop(id)
        }
    }
}
