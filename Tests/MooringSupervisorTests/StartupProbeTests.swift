import Foundation
@testable import MooringSupervisor
import MooringTesting
import Testing

/// During start-up a replica is probed at short, growing intervals, so it is ready soon
/// after its server listens — not a whole `period` later.
@Suite struct StartupProbeTests {
    /// `sh` waits for the file `go` in its working directory, then becomes the health server.
    static func gatedServer(_ run: TestRun, port: Int) throws -> [String] {
        ["sh", "-c", "while [ ! -e go ]; do sleep 0.05; done; exec \(Fixtures.python) \(try run.healthServerScript()) --port \(port)"]
    }

    @Test func startupIntervalsGrowByHalfUpToThePeriod() {
        let policy = ProbePolicy(period: .seconds(1))
        var intervals: [Duration] = []
        for _ in 0..<8 { intervals.append(policy.startupInterval(after: intervals.last)) }
        let milliseconds = intervals.map { ($0 / .milliseconds(1) * 10).rounded() / 10 }
        #expect(milliseconds == [100, 150, 225, 337.5, 506.3, 759.4, 1000, 1000])
        // A period shorter than the first startup interval caps it too.
        #expect(ProbePolicy(period: .milliseconds(50)).startupInterval(after: nil) == .milliseconds(50))
    }

    @Test func aServerIsReadyAtTheNextShortProbeNotAFullPeriodLater() async throws {
        let clock = ManualClock()
        try await withTestRun(clock: clock) { run in
            let port = try await run.supervisor.allocatePort()
            let id = ReplicaID(deployment: "eager", replica: 0, generation: "g1")
            let spec = run.spec(try Self.gatedServer(run, port: port), port: port,
                                health: .http(path: "/healthz", port: port), probe: ProbePolicy(period: .seconds(10)))
            _ = try await run.supervisor.start(id, spec: spec)

            // The probe at spawn fails (nothing listens); so does the next, 100 ms later.
            #expect(await waitUntil { clock.sleeperCount == 1 })
            clock.advance(by: .milliseconds(100))
            #expect(await waitUntil { clock.sleeperCount == 1 })
            #expect(await run.supervisor.snapshot(id)?.state == .starting)

            try run.directory.write("go", "")
            #expect(await waitUntil(timeout: .seconds(60)) { Loopback.accepts(port) })
            // 150 ms after the last probe (not 10 s), the server is found ready.
            clock.advance(by: .milliseconds(150))
            let ready = try #require(await run.events.first("Ready", for: id))
            #expect(ready.snapshot.state == .ready)
            #expect(clock.now.offset == .milliseconds(250))
        }
    }
}
