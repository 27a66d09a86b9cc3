import Foundation
import Logging
@testable import MooringController
import MooringGit
import MooringManifests
import MooringTesting
import Testing

/// Issue 13, item 2: the controller skipped a symlinked manifest file while `mooring
/// validate` followed it, so a pull request checked one desired state and the host applied
/// another. Now both reject it with the same positioned diagnostic.
@Suite struct ManifestSymlinkTests {
    static let deployment = """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata:
          name: NAME
        spec:
          command: ["python3", "server.py", "--port", "{{port}}"]
        """

    @Test func theControllerAndValidateRejectASymlinkedManifestAlike() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("manifests/iris.yaml", Self.deployment.replacingOccurrences(of: "NAME", with: "iris"))
        try repo.write("elsewhere/extra.yaml", Self.deployment.replacingOccurrences(of: "NAME", with: "extra"))
        try repo.write("elsewhere/team/more.yaml", Self.deployment.replacingOccurrences(of: "NAME", with: "more"))
        let manifests = repo.directory.appendingPathComponent("manifests")
        // One link inside the folder, one leaving it, and a linked folder (not a manifest).
        try FileManager.default.createSymbolicLink(atPath: manifests.appendingPathComponent("again.yaml").path, withDestinationPath: "iris.yaml")
        try FileManager.default.createSymbolicLink(atPath: manifests.appendingPathComponent("extra.yml").path, withDestinationPath: "../elsewhere/extra.yaml")
        try FileManager.default.createSymbolicLink(atPath: manifests.appendingPathComponent("team").path, withDestinationPath: "../elsewhere/team")
        try repo.commitAll("Symlinked manifests")

        let source = try GitSource(
            configuration: GitSourceConfiguration(location: .localPath(repo.directory.path), stateDirectory: dir.appending("state")),
            logger: Logger(label: "test"))
        let commit = try await source.update(previous: nil).commit.id
        let fromGit = try source.manifestSet(at: commit, path: "manifests")
        let fromDisk = try ManifestSet.load(directory: manifests, repositoryRoot: repo.directory)

        for set in [fromGit, fromDisk] {
            #expect(!set.isValid)
            #expect(set.diagnostics.map(\.description) == [
                "manifests/again.yaml:1:1: error: manifest files may not be symlinks (this one points to `iris.yaml`); commit the manifest itself here, or rename the link so it does not end in .yaml/.yml",
                "manifests/extra.yml:1:1: error: manifest files may not be symlinks (this one points to `../elsewhere/extra.yaml`); commit the manifest itself here, or rename the link so it does not end in .yaml/.yml",
            ])
            // The linked folder is not entered by either.
            #expect(set.fileCount == 3)
        }
        #expect(fromGit.diagnostics == fromDisk.diagnostics)
    }
}
