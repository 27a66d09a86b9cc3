import Foundation
import MooringStatus
import MooringStore
import MooringSupervisor
import MooringTesting
import Testing
@testable import MooringController

/// The controller's loop wired to a real Git repository and a real state store, with a
/// fake supervisor and a manual clock: a deploy and a Surge rollout, step by step, with
/// the order of start, gate and stop checked — no process, no sleeping on a timer.
@Suite struct ControllerLoopTests {
    static func manifest(version: Int) -> String {
        """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          command: ["server", "--version", "\(version)", "--port", "{{port}}"]
          health: {tcp: {}}
          rollout: {minHealthySeconds: 5, progressDeadlineSeconds: 60}
        """
    }

    @Test func aSurgeRolloutThroughTheLoopGatesThenDrainsInOrder() async throws {
        let fixture = try LoopFixture(prefix: "mooring-loop", manifest: Self.manifest(version: 1))
        defer { fixture.remove() }
        let (repo, state, first) = (fixture.repo, fixture.state, fixture.first)
        let clock = ManualClock()
        let epoch = Date(timeIntervalSince1970: 1_800_000_000)
        let now: @Sendable () -> Date = { epoch.addingTimeInterval(Double(clock.now.offset.components.seconds)) }
        let runner = FakeRunner()
        let controller = try fixture.controller(runner: runner, clock: clock, now: now)
        let loop = Task { try await controller.run() }
        defer { loop.cancel() }

        func row() -> StatusReport.Deployment? {
            (try? StatusReport.load(stateDirectory: state))?.deployments.first
        }

        // v1: spawned, then ready; the gate holds for minHealthySeconds on the manual clock.
        #expect(await waitUntil(timeout: .seconds(120)) { await runner.started.count == 1 })
        let v1 = try #require(await runner.started.first)
        #expect(await runner.arguments(of: v1).contains("1"))
        await runner.ready(v1, since: now())
        #expect(await waitUntil { row()?.rolloutPhase == "Gating" && row()?.readyReplicas == 0 }, "\(String(describing: row()))")
        // minHealthySeconds pass on the manual clock (a second at a time, so the gate's
        // wake-up fires whenever it was registered).
        #expect(await advance(clock, until: { row()?.health == "Healthy" && row()?.sync == "Synced" }), "\(String(describing: row()))")
        #expect(row()?.appliedRevision == first)

        // v2: started beside v1; v1 is stopped only after v2 passed its gate.
        try repo.write("manifests/iris.yaml", Self.manifest(version: 2))
        let second = try repo.commitAll("iris v2")
        controller.requestSync()
        #expect(await waitUntil(timeout: .seconds(120)) { await runner.started.count == 2 })
        let v2 = try #require(await runner.started.last)
        #expect(v2.generation != v1.generation)
        await runner.ready(v2, since: now())
        try await Task.sleep(for: .milliseconds(200))
        #expect(await runner.stopped.isEmpty, "v1 stopped before v2 passed its gate")
        #expect(row()?.appliedRevision == first)
        #expect(await advance(clock, until: { await runner.stopped == [v1] }))
        #expect(await waitUntil { row()?.appliedRevision == second && row()?.sync == "Synced" && row()?.health == "Healthy" },
                "\(String(describing: row()))")
        let history = try StateStoreReader.rollouts(state)
        #expect(history.map(\.outcome) == [.succeeded, .succeeded])
    }
}

/// Advances `clock` a second at a time (at most a minute) until `condition` holds.
func advance(_ clock: ManualClock, until condition: @escaping () async -> Bool) async -> Bool {
    for _ in 0..<60 {
        if await waitUntil(timeout: .milliseconds(300), condition) { return true }
        clock.advance(by: .seconds(1))
    }
    return await condition()
}

/// Reads the rollout history of a state directory.
enum StateStoreReader {
    static func rollouts(_ state: URL) throws -> [MooringStore.RolloutRecord] {
        try MooringStore.StateStore(readOnlyPath: state.appendingPathComponent("state.sqlite")).rollouts()
    }
}
