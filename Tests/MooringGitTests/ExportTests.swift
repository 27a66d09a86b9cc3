import Foundation
import MooringGit
import MooringTesting
import Testing

@Suite struct ExportTests {
    @Test func exportsARevisionReadOnlyAndCollectsUnusedOnes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("manifests/iris.yaml", "name: iris\n")
        try repo.write("examples/servers/serve.py", "print('serving')\n")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: repo.directory.appendingPathComponent("examples/servers/serve.py").path)
        try FileManager.default.createSymbolicLink(
            atPath: repo.directory.appendingPathComponent("current.yaml").path, withDestinationPath: "manifests/iris.yaml")
        let first = try repo.commitAll("First")
        let source = try makeSource(.localPath(repo.directory.path), state: dir)
        let revisions = dir.appending("state/revisions")

        let firstID = try await source.update(previous: nil).commit.id
        let exported = try source.export(commit: firstID, into: revisions)
        #expect(exported.lastPathComponent == first)
        #expect(try String(contentsOf: exported.appendingPathComponent("manifests/iris.yaml"), encoding: .utf8) == "name: iris\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: exported.appendingPathComponent("current.yaml").path)
            == "manifests/iris.yaml")
        #expect(try permissions(exported.appendingPathComponent("manifests/iris.yaml")) == 0o444)
        #expect(try permissions(exported.appendingPathComponent("examples/servers/serve.py")) == 0o555)
        #expect(try permissions(exported.appendingPathComponent("manifests")) == 0o555)
        #expect(try permissions(exported) == 0o555)
        // No temporary directory is left behind, and exporting again changes nothing.
        #expect(try FileManager.default.contentsOfDirectory(atPath: revisions.path) == [first])
        let inode = try FileManager.default.attributesOfItem(atPath: exported.path)[.systemFileNumber] as? Int
        #expect(try source.export(commit: firstID, into: revisions) == exported)
        #expect(try FileManager.default.attributesOfItem(atPath: exported.path)[.systemFileNumber] as? Int == inode)

        try repo.write("manifests/iris.yaml", "name: iris\nversion: 2\n")
        let second = try repo.commitAll("Second")
        let secondID = try await source.update(previous: firstID).commit.id
        let secondExport = try source.export(commit: secondID, into: revisions)
        #expect(try String(contentsOf: secondExport.appendingPathComponent("manifests/iris.yaml"), encoding: .utf8)
            == "name: iris\nversion: 2\n")
        // The first export is untouched by the second.
        #expect(try String(contentsOf: exported.appendingPathComponent("manifests/iris.yaml"), encoding: .utf8) == "name: iris\n")

        // A crash mid-export leaves a temporary directory; GC removes it with unused exports.
        try FileManager.default.createDirectory(
            at: revisions.appendingPathComponent(".tmp-\(first)-crashed/manifests"), withIntermediateDirectories: true)
        let removed = try source.garbageCollectExports(in: revisions, keeping: [secondID])
        #expect(removed == [firstID])
        #expect(try FileManager.default.contentsOfDirectory(atPath: revisions.path) == [second])
        #expect(try source.garbageCollectExports(in: revisions, keeping: [secondID]) == [])
    }

    @Test func exportingAMissingCommitFailsAndLeavesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try manifestRepository(in: dir)
        let source = try makeSource(.localPath(repo.directory.path), state: dir)
        let revisions = dir.appending("revisions")
        let missing = try #require(ObjectID(hex: String(repeating: "0f", count: 20)))
        let error = await gitError { _ = try source.export(commit: missing, into: revisions) }
        #expect(error?.code == .notFound)
        #expect(try FileManager.default.contentsOfDirectory(atPath: revisions.path) == [])
    }

    private func permissions(_ url: URL) throws -> Int {
        let value = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        return try #require(value) & 0o777
    }
}
