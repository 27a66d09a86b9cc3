import Foundation
import Logging
import MooringStore
import MooringTesting
import Testing
@testable import MooringController

/// A controller whose task is cancelled — what `ServiceGroup` does to every service when
/// one of them fails — still records that it stopped, as a graceful stop does: the store
/// no longer names its pid, and the last event says the models keep running.
@Suite struct ControllerStopTests {
    @Test func aCancelledControllerStillRecordsItsStop() async throws {
        let directory = try TemporaryDirectory(prefix: "mooring-stop")
        defer { directory.remove() }
        let repo = try GitFixture(at: directory.appending("repo"))
        try repo.write("manifests/iris.yaml", ControllerLoopTests.manifest(version: 1))
        _ = try repo.commitAll("iris v1")
        let state = directory.appending("state")
        let lock = try StateLock.acquire(at: try StateDirectory.prepare(at: state).lock)
        defer { withExtendedLifetime(lock) {} }
        let runner = FakeRunner()
        let controller = try Controller(
            configuration: ControllerConfiguration(repository: repo.directory.path, reference: .branch("main"), stateDirectory: state),
            runner: runner, logger: Logger(label: "test"), clock: ManualClock())
        let loop = Task { try await controller.run() }
        #expect(await waitUntil(timeout: .seconds(120)) { await runner.started.count == 1 })
        let store = try StateStore(readOnlyPath: state.appendingPathComponent("state.sqlite"))
        #expect(try store.source()?.controllerPid != nil, "a running controller names its pid")

        loop.cancel()
        _ = await loop.result
        #expect(try store.source()?.controllerPid == nil, "the stopped controller is still named as running")
        let last = try #require(try store.events(limit: 1).first)
        #expect(last.reason == "ControllerStopped", "last event: \(last.reason): \(last.message)")
    }
}
