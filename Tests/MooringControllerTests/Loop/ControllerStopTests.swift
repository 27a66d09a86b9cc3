import Foundation
import MooringStore
import MooringTesting
import Testing
@testable import MooringController

/// A controller whose task is cancelled — what `ServiceGroup` does to every service when
/// one of them fails — still records that it stopped, as a graceful stop does: the store
/// no longer names its pid, and the last event says the models keep running.
@Suite struct ControllerStopTests {
    @Test func aCancelledControllerStillRecordsItsStop() async throws {
        let fixture = try LoopFixture(prefix: "mooring-stop", manifest: ControllerLoopTests.manifest(version: 1))
        defer { fixture.remove() }
        let runner = FakeRunner()
        let controller = try fixture.controller(runner: runner, clock: ManualClock())
        let loop = Task { try await controller.run() }
        #expect(await waitUntil(timeout: .seconds(120)) { await runner.started.count == 1 })
        let store = try StateStore(readOnlyPath: fixture.state.appendingPathComponent("state.sqlite"))
        #expect(try store.source()?.controllerPid != nil, "a running controller names its pid")

        loop.cancel()
        _ = await loop.result
        #expect(try store.source()?.controllerPid == nil, "the stopped controller is still named as running")
        let last = try #require(try store.events(limit: 1).first)
        #expect(last.reason == "ControllerStopped", "last event: \(last.reason): \(last.message)")
    }
}
