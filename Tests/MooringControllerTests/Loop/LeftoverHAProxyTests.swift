import Foundation
import MooringSupervisor
import MooringTesting
import Testing
@testable import MooringController

/// A state directory whose HAProxy outlived its controller (HAProxy outlives controllers by
/// design) while no deployment has a stable endpoint any more — the store was rebuilt, or
/// the controller was killed between the last endpoint going and HAProxy being stopped. The
/// next controller adopts that HAProxy and stops it at its first look, instead of leaving a
/// process that holds the old ports forever.
@Suite struct LeftoverHAProxyTests {
    @Test func aControllerWithoutEndpointsStopsTheHAProxyItFinds() async throws {
        let fixture = try LoopFixture(prefix: "mooring-leftover", manifest: ControllerLoopTests.manifest(version: 1)) // no endpoint
        defer { fixture.remove() }

        // What the earlier controller left: its HAProxy's adoption record, and the process.
        let leftover = ProcessIdentity(pid: 4242, startTime: 7, processGroup: 4242)
        let traffic = fixture.state.appendingPathComponent("traffic")
        try FileManager.default.createDirectory(at: traffic, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let record = DataPlane.Record(identity: leftover, listeners: "frontend fe_old\n    bind 127.0.0.1:18080\n")
        try JSONEncoder().encode(record).write(to: traffic.appendingPathComponent("haproxy.json"))
        let runner = FakeRunner(survivors: [DataPlane.processID: leftover])

        let controller = try fixture.controller(runner: runner, clock: ManualClock())
        let loop = Task { try await controller.run() }
        defer { loop.cancel() }

        #expect(await waitUntil(timeout: .seconds(60)) { await runner.stopped.contains(DataPlane.processID) },
                "the leftover HAProxy was not stopped")
        #expect(await runner.adopted[DataPlane.processID] != nil, "stopped without being adopted first")
        #expect(await waitUntil(timeout: .seconds(10)) {
            !FileManager.default.fileExists(atPath: traffic.appendingPathComponent("haproxy.json").path)
        }, "the adoption record of a stopped HAProxy is left behind")
        #expect(await waitUntil(timeout: .seconds(60)) { await runner.started.count == 1 }, "the model itself is still deployed")
    }
}
