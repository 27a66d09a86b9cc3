import Foundation
import MooringManifests
import MooringStatus
import Testing
@testable import MooringController

/// The `Preparing` phase of a spec whose model is a remote artifact: its own deadline
/// (`downloadDeadlineSeconds`, not the progress deadline), download progress as the
/// rollout's detail, a failed download that leaves the serving version alone, and the
/// whole progress deadline for the starts once the artifact is verified.
@Suite struct PreparingArtifactTests {
    /// Version `version` of iris whose model is fetched from a URL.
    static func remoteTarget(_ version: Int, commit: Int, downloadDeadline: Int = 300) -> Target {
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              model:
                uri: https://models.example.com/iris-v\(version).onnx
                sha256: "\(String(repeating: "a", count: 63))\(version)"
                downloadDeadlineSeconds: \(downloadDeadline)
              command: ["server", "--version", "\(version)", "--model", "{{model.path}}", "--port", "{{port}}"]
              rollout: {strategy: Surge, minHealthySeconds: 5, progressDeadlineSeconds: 60}
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "manifests/iris.yaml", contents: Data(yaml.utf8))])
        precondition(set.isValid, "\(set.diagnostics)")
        return Target(spec: set.deployments[0], revision: MachineWorld.revision(commit))
    }

    /// v1 serving, then Git wants v2 from a URL: the rollout is preparing.
    static func downloadingV2(downloadDeadline: Int = 300) -> MachineWorld {
        var world = MachineWorld(version: 1)
        world.settle()
        world.send(.desired(remoteTarget(2, commit: 2, downloadDeadline: downloadDeadline)))
        return world
    }

    @Test func aDownloadOutlastsTheProgressDeadlineAndShowsItsProgress() {
        var world = Self.downloadingV2()
        let revision = MachineWorld.revision(2)
        #expect(world.machine.rollout?.detail == "fetching https://models.example.com/iris-v2.onnx")
        for _ in 0..<20 { world.wait(5) } // 100 s: past progressDeadlineSeconds (60)
        world.send(.preparing(revision: revision, detail: "downloading 1.2 GiB / 4.0 GiB (30 %), 85.0 MiB/s"))
        #expect(world.machine.rollout?.phase == .preparing)
        #expect(world.summary.health == .progressing)
        #expect(world.summary.message.contains("downloading 1.2 GiB / 4.0 GiB (30 %), 85.0 MiB/s"), "\(world.summary.message)")
        #expect(world.liveVersions == [1] && world.startsInFlight.isEmpty, "nothing starts or stops while downloading")

        world.finishPrepares()
        #expect(world.machine.rollout?.phase == .starting)
        #expect(world.machine.rollout?.deadline == world.now.addingTimeInterval(60), "the starts get the whole progress deadline")
        world.settle()
        #expect(world.servingVersion == 2)
    }

    @Test func progressForAnotherRevisionIsIgnored() {
        var world = Self.downloadingV2()
        world.send(.preparing(revision: MachineWorld.revision(9), detail: "downloading something else"))
        #expect(world.machine.rollout?.detail == "fetching https://models.example.com/iris-v2.onnx")
    }

    @Test func theDownloadDeadlineFailsTheRolloutAndV1KeepsServing() {
        var world = Self.downloadingV2(downloadDeadline: 120)
        for _ in 0..<25 { world.wait(5) }
        #expect(world.servingVersion == 1)
        #expect(world.liveVersions == [1])
        #expect(world.summary.health == .degraded)
        #expect(world.events.contains { $0.contains("was not downloaded within downloadDeadlineSeconds (120s)") }, "\(world.events)")
    }

    @Test func aPermanentDownloadFailureLeavesV1Serving() {
        var world = Self.downloadingV2()
        world.preparesInFlight = []
        world.send(.prepared(revision: MachineWorld.revision(2),
                             failure: "GET https://models.example.com/iris-v2.onnx: HTTP 404, not found; fix the URI in Git"))
        world.settle()
        #expect(world.servingVersion == 1)
        #expect(world.liveVersions == [1])
        #expect(world.summary.health == .degraded)
        #expect(world.summary.message.contains("HTTP 404"), "\(world.summary.message)")
    }
}
