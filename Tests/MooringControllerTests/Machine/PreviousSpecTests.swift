import Foundation
import MooringManifests
import Testing
@testable import MooringController

/// The previous spec — the one that served before the applied one with a different model —
/// and what the artifact cache's collector keeps: desired, applied, in-rollout and previous.
@Suite struct PreviousSpecTests {
    static func uri(_ version: Int) -> String { "https://models.example.com/iris-v\(version).onnx" }

    static func deploy(_ version: Int, _ world: inout MachineWorld) {
        world.send(.desired(PreparingArtifactTests.remoteTarget(version, commit: version)))
        world.settle()
    }

    @Test func eachModelChangeMakesTheOldAppliedSpecThePreviousOne() throws {
        var world = MachineWorld(version: 1)
        world.settle()
        #expect(world.machine.previous == nil)
        Self.deploy(2, &world)
        #expect(world.servingVersion == 2)
        #expect(world.machine.previous?.revision == MachineWorld.revision(1))
        Self.deploy(3, &world)
        #expect(world.machine.previous?.spec.model?.uri == Self.uri(2))
        #expect(Controller.artifactURIs(keptFor: [world.machine]) == [Self.uri(3), Self.uri(2)])

        // It is stored with the deployment: a restarted controller keeps it.
        try world.restart()
        world.settle()
        #expect(world.machine.previous?.spec.model?.uri == Self.uri(2))
        #expect(try world.machine.record().previousRevision == MachineWorld.revision(2))
    }

    @Test func aRevertSwapsThemAndAFailedRolloutChangesNothing() {
        var world = MachineWorld(version: 1)
        world.settle()
        Self.deploy(2, &world)
        Self.deploy(3, &world)
        Self.deploy(2, &world)  // `git revert` of v3
        #expect(world.servingVersion == 2)
        #expect(world.machine.previous?.spec.model?.uri == Self.uri(3))

        world.broken = [4]
        Self.deploy(4, &world)
        #expect(world.servingVersion == 2, "v4 crash-loops and is rolled back")
        #expect(world.machine.previous?.spec.model?.uri == Self.uri(3))
        // Git wants v4 (desired) while v2 serves; v3 stays for a revert.
        #expect(Controller.artifactURIs(keptFor: [world.machine]) == [Self.uri(4), Self.uri(2), Self.uri(3)])
    }

    @Test func aChangeThatKeepsTheModelKeepsThePreviousOne() {
        var world = MachineWorld(version: 1)
        world.settle()
        Self.deploy(2, &world)
        var scaled = PreparingArtifactTests.remoteTarget(2, commit: 5)
        scaled.spec.replicas = 2
        scaled = Target(spec: scaled.spec, revision: scaled.revision)
        world.send(.desired(scaled))
        world.settle()
        #expect(world.machine.applied?.spec.replicas == 2)
        #expect(world.machine.previous?.revision == MachineWorld.revision(1))
    }
}
