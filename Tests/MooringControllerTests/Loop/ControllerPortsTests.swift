import Foundation
import Logging
import MooringStatus
import MooringSupervisor
import MooringTesting
import Testing
@testable import MooringController

/// Named ports and scratch directories through the controller's loop (real Git, real
/// store, fake supervisor, manual clock): allocated per replica beside the main port,
/// rendered into the command and environment, recorded and shown in status, adopted by a
/// restarted controller; the scratch directory made private and removed with the replica.
@Suite struct ControllerPortsTests {
    static func manifest(version: Int) -> String {
        """
        apiVersion: mooring.dev/v1alpha1
        kind: ServingRuntime
        metadata: {name: oip}
        spec:
          ports: [grpc, metrics]
          command: ["server", "--http", "{{port}}", "--grpc", "{{ports.grpc}}", "--scratch", "{{scratch.dir}}"]
          env: {METRICS_PORT: "{{ports.metrics}}"}
          health: {tcp: {}}
        ---
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          runtime: oip
          env: {VERSION: "\(version)"}
          rollout: {minHealthySeconds: 1, progressDeadlineSeconds: 60}
        """
    }

    @Test func namedPortsAndScratchDirectoriesLiveAndDieWithTheirReplica() async throws {
        let directory = try TemporaryDirectory(prefix: "mooring-ports")
        defer { directory.remove() }
        let repo = try GitFixture(at: directory.appending("repo"))
        try repo.write("manifests/iris.yaml", Self.manifest(version: 1))
        _ = try repo.commitAll("iris v1")
        let state = directory.appending("state")
        let layout = StateLayout(root: state)
        let clock = ManualClock()
        let epoch = Date(timeIntervalSince1970: 1_800_000_000)
        let now: @Sendable () -> Date = { epoch.addingTimeInterval(Double(clock.now.offset.components.seconds)) }
        let runner = FakeRunner()
        let configuration = ControllerConfiguration(repository: repo.directory.path, reference: .branch("main"), stateDirectory: state)

        func row() -> StatusReport.Deployment? {
            (try? StatusReport.load(stateDirectory: state))?.deployments.first
        }

        var lock: StateLock? = try StateLock.acquire(at: try StateDirectory.prepare(at: state).lock)
        var controller: Controller? = try Controller(configuration: configuration, runner: runner,
                                                     logger: Logger(label: "test"), clock: clock, now: now)
        var loop: Task<Void, any Error>? = Task { [controller] in try await controller?.run() }

        // v1: one replica with three distinct ports, in its argv and environment.
        #expect(await waitUntil(timeout: .seconds(120)) { await runner.started.count == 1 })
        let v1 = try #require(await runner.started.first)
        let spec1 = try #require(await runner.spec(of: v1))
        let grpc = try #require(spec1.namedPorts["grpc"])
        let metrics = try #require(spec1.namedPorts["metrics"])
        #expect(Set([spec1.port, grpc, metrics]).count == 3)
        let scratch1 = layout.scratchDirectory(deployment: "iris", generation: v1.generation, replica: 0)
        #expect(spec1.arguments == ["server", "--http", String(spec1.port), "--grpc", String(grpc), "--scratch", scratch1.path])
        #expect(spec1.environment["METRICS_PORT"] == String(metrics))
        #expect(spec1.environment["PORT_GRPC"] == String(grpc))
        #expect(spec1.environment["MOORING_SCRATCH_DIR"] == scratch1.path)
        // The scratch directory is there before the process starts, private to the controller's user.
        var info = stat()
        #expect(lstat(scratch1.path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(info.st_uid == getuid())

        await runner.ready(v1, since: now())
        #expect(await advance(clock, until: { row()?.health == "Healthy" }), "\(String(describing: row()))")
        // Recorded with the replica and shown in status (-o wide / JSON).
        let shown = try #require(row()?.replicaDetails?.first)
        #expect(shown.ports == ["grpc": grpc, "metrics": metrics])
        #expect(shown.address == "http://127.0.0.1:\(spec1.port)")
        #expect(shown.serving)

        // A restarted controller adopts the replica with the same ports (and does not start another).
        loop?.cancel()
        _ = await loop?.result
        controller = nil
        lock = nil
        lock = try StateLock.acquire(at: layout.lock)
        let second = FakeRunner(survivors: await runner.running(), firstPort: 31000)
        controller = try Controller(configuration: configuration, runner: second,
                                    logger: Logger(label: "test"), clock: clock, now: now)
        loop = Task { [controller] in try await controller?.run() }
        #expect(await waitUntil(timeout: .seconds(120)) { await second.adopted[v1] != nil })
        #expect(await second.adopted[v1]?.namedPorts == ["grpc": grpc, "metrics": metrics])
        #expect(await second.adopted[v1]?.arguments == spec1.arguments)
        #expect(await second.started.isEmpty)
        await second.ready(v1, since: now())

        // v2 gets fresh ports and its own scratch directory; v1's goes when v1 is stopped.
        try repo.write("manifests/iris.yaml", Self.manifest(version: 2))
        _ = try repo.commitAll("iris v2")
        controller?.requestSync()
        #expect(await waitUntil(timeout: .seconds(120)) { await second.started.count == 1 })
        let v2 = try #require(await second.started.last)
        let spec2 = try #require(await second.spec(of: v2))
        #expect(Set(spec2.allPorts).isDisjoint(with: spec1.allPorts))
        let scratch2 = layout.scratchDirectory(deployment: "iris", generation: v2.generation, replica: 0)
        #expect(FileManager.default.fileExists(atPath: scratch2.path))
        await second.ready(v2, since: now())
        #expect(await advance(clock, until: { await second.stopped == [v1] }))
        #expect(await waitUntil { !FileManager.default.fileExists(atPath: scratch1.path) })
        #expect(FileManager.default.fileExists(atPath: scratch2.path))
        #expect(await waitUntil { row()?.replicaDetails?.map(\.generation) == [v2.generation] })
        loop?.cancel()
        _ = await loop?.result
        withExtendedLifetime(lock) {}
    }
}
