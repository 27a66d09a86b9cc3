import Foundation
import MooringTesting
import Testing

/// A commit fetched while the disk is full is applied once there is room again, and until
/// then `status` says the store cannot be written — the old version keeps serving.
///
/// The full disk is real: the state directory is a small tmpfs mounted by the test (it
/// needs root, as CI has; without it the test fails and says so rather than skipping).
@Suite struct FullDiskTests {
    @Test func aCommitFetchedOnAFullDiskIsAppliedOnceThereIsRoom() async throws {
        try #require(getuid() == 0, "mounting the small tmpfs that fills up needs root (CI runs as root)")
        try await ControllerHarness.with(name: "fulldisk") { h in
            try FileManager.default.createDirectory(at: h.stateDirectory, withIntermediateDirectories: true)
            let mount = try await runCommandOffPool("/bin/mount", ["-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", h.stateDirectory.path])
            try #require(mount.status == 0, "\(mount.output)")
            defer { _ = try? runCommand("/bin/umount", ["-l", h.stateDirectory.path]) }

            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let serving = h.modelProcesses()

            // Fill the filesystem to the last block.
            let filler = h.stateDirectory.appendingPathComponent("filler")
            let fill = try await runCommandOffPool("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
            #expect(fill.stderr.contains("No space left"), "\(fill.output)")

            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
            let second = try await h.commit("iris: v2 while the disk is full")
            #expect(try await h.waitForStatus(timeout: .seconds(60)) { status in
                (status["source"] as? [String: Any])?["storeError"] as? String != nil
            }, "\(h.controllerLog)")
            #expect(h.modelProcesses() == serving, "nothing may change while nothing can be recorded")
            #expect(try await h.deployment("iris")?["appliedRevision"] as? String == first)
            let table = try await h.mooring(["status"])
            #expect(table.stdout.contains("cannot write the state store"), "\(table.stdout)")

            // Room again: the pending commit is applied, and the error goes away.
            try FileManager.default.removeItem(at: filler)
            #expect(try await h.waitUntilServing("iris", at: second, timeout: .seconds(120)), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
            #expect(try await h.waitForStatus(timeout: .seconds(60)) { status in
                (status["source"] as? [String: Any])?["storeError"] == nil
            })
        }
    }
}
