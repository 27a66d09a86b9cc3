import Foundation
import MooringTesting
import Testing

/// Issue 13, item 2: a commit that replaces the manifests folder by a symlink or a file
/// used to read as "no manifests" and removed every deployment. Now it is rejected like a
/// missing folder, and so is a commit with a symlinked manifest file: nothing stops.
@Suite(.timeLimit(.minutes(5)))
struct HostileTreeTests {
    @Test func aManifestsFolderTurnedIntoASymlinkOrAFileStopsNothing() async throws {
        try await ControllerHarness.with(name: "hostile-tree") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
            let first = try h.repo.commitAll("deploy iris")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let pids = h.modelProcesses()
            #expect(pids.count == 1)
            let link = h.repo.directory.appendingPathComponent("manifests")

            // 1. The folder becomes a symlink to another one.
            try h.repo.git("mv", "manifests", "deploy")
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "deploy")
            let linked = try await h.commit("manifests -> deploy")
            try await expectRejected(h, at: linked, saying: "path `manifests` is a symlink (to `deploy`) at \(linked.prefix(7)), not a folder")
            #expect(h.modelProcesses() == pids)

            // 2. The folder becomes a file.
            try FileManager.default.removeItem(at: link)
            try h.repo.write("manifests", "apiVersion: mooring.dev/v1alpha1\n")
            let file = try await h.commit("manifests is a file")
            try await expectRejected(h, at: file, saying: "path `manifests` is a file at \(file.prefix(7)), not a folder")
            #expect(h.modelProcesses() == pids)

            // 3. The folder is back, with a symlinked manifest in it.
            try FileManager.default.removeItem(at: link)
            try h.repo.git("mv", "deploy", "manifests")
            try FileManager.default.createSymbolicLink(atPath: link.appendingPathComponent("copy.yaml").path, withDestinationPath: "iris.yaml")
            let copy = try await h.commit("a symlinked manifest")
            try await expectRejected(h, at: copy, saying: "manifests/copy.yaml:1:1: error: manifest files may not be symlinks")
            #expect(h.modelProcesses() == pids)

            // 4. Without the link the commit applies, and still nothing restarted.
            try FileManager.default.removeItem(at: link.appendingPathComponent("copy.yaml"))
            let fixed = try await h.commit("drop the link")
            #expect(try await h.waitForStatus { status in
                let source = status["source"] as? [String: Any]
                let rows = status["deployments"] as? [[String: Any]] ?? []
                let iris = rows.first { $0["name"] as? String == "iris" }
                return source?["commit"] as? String == fixed && source?["error"] as? String == nil
                    && iris?["desiredRevision"] as? String == fixed && iris?["health"] as? String == "Healthy"
            }, "\(h.controllerLog)")
            #expect(h.modelProcesses() == pids)
        }
    }

    /// Waits until the source shows `message` for `commit`, lets one more poll pass, and
    /// checks iris still serves its first revision.
    private func expectRejected(_ h: ControllerHarness, at commit: String, saying message: String,
                                sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            return source?["commit"] as? String == commit && (source?["error"] as? String)?.contains(message) == true
        }, "\(h.controllerLog)", sourceLocation: sourceLocation)
        #expect(try await h.waitForAnotherFetch(), "\(h.controllerLog)", sourceLocation: sourceLocation)
        let iris = try #require(try await h.deployment("iris"), sourceLocation: sourceLocation)
        #expect(iris["health"] as? String == "Healthy", "\(iris)", sourceLocation: sourceLocation)
        #expect(try await h.servedVersion("iris") == "1", sourceLocation: sourceLocation)
    }
}
