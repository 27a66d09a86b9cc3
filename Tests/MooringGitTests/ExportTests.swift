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
        // Read-only and private: the state directory's files are the controller user's alone.
        #expect(try permissions(exported.appendingPathComponent("manifests/iris.yaml")) == 0o400)
        #expect(try permissions(exported.appendingPathComponent("examples/servers/serve.py")) == 0o500)
        #expect(try permissions(exported.appendingPathComponent("manifests")) == 0o500)
        #expect(try permissions(exported) == 0o500)
        #expect(try permissions(revisions) == 0o700)
        // No temporary directory is left behind (only the export and its completion marker),
        // and exporting again changes nothing.
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: revisions.path)) == [first, "\(first).export"])
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
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: revisions.path)) == [second, "\(second).export"])
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

    /// Issue 13, item 1: an export found in place is reused only when this user wrote it
    /// whole; a planted one is never run.
    @Test func aPlantedExportIsReplacedNotReused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("serve.sh", "echo real\n")
        let sha = try repo.commitAll("First")
        let logs = LogRecorder()
        let source = try makeSource(.localPath(repo.directory.path), state: dir, logs: logs)
        let id = try await source.update(previous: nil).commit.id
        let revisions = dir.appending("state/revisions")
        // Planted before the controller ever exported this commit: no completion marker.
        try dir.write("state/revisions/\(sha)/serve.sh", "echo planted\n")

        let exported = try source.export(commit: id, into: revisions)
        #expect(try String(contentsOf: exported.appendingPathComponent("serve.sh"), encoding: .utf8) == "echo real\n")
        #expect(logs.all.contains { $0.contains("not reusing the export of \(id.short)") && $0.contains("no completion marker") },
                "\(logs.all)")
        // Moved aside, not deleted under a process that might run from it; collected once unused.
        let aside = try FileManager.default.contentsOfDirectory(atPath: revisions.path).filter { $0.hasPrefix(".replaced-\(sha)") }
        #expect(aside.count == 1)
        _ = try source.garbageCollectExports(in: revisions, keeping: [id])
        #expect(try FileManager.default.contentsOfDirectory(atPath: revisions.path).contains { $0.hasPrefix(".replaced-") })
        _ = try source.garbageCollectExports(in: revisions, keeping: [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: revisions.path).isEmpty)
    }

    @Test func anExportChangedAfterItWasWrittenIsRebuilt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("bin/serve.sh", "echo real\n")
        try repo.commitAll("First")
        let source = try makeSource(.localPath(repo.directory.path), state: dir)
        let id = try await source.update(previous: nil).commit.id
        let revisions = dir.appending("state/revisions")
        let exported = try source.export(commit: id, into: revisions)
        // Someone made a file in it writable by others and changed it.
        let script = exported.appendingPathComponent("bin/serve.sh")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.deletingLastPathComponent().path)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: script.path)
        try Data("echo planted\n".utf8).write(to: script)

        let again = try source.export(commit: id, into: revisions)
        #expect(try String(contentsOf: again.appendingPathComponent("bin/serve.sh"), encoding: .utf8) == "echo real\n")
        #expect(try permissions(again.appendingPathComponent("bin/serve.sh")) == 0o400)
    }

    @Test func anExportOfAnotherUserIsRebuilt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("serve.sh", "echo real\n")
        try repo.commitAll("First")
        let source = try makeSource(.localPath(repo.directory.path), state: dir)
        let id = try await source.update(previous: nil).commit.id
        let revisions = dir.appending("state/revisions")
        let exported = try source.export(commit: id, into: revisions)
        let inode = try FileManager.default.attributesOfItem(atPath: exported.path)[.systemFileNumber] as? Int
        guard Unprivileged.isAvailable else {
            Unprivileged.note("anExportOfAnotherUserIsRebuilt")
            // Without a second user: a marker naming another tree stands in for "not ours".
            let marker = revisions.appendingPathComponent("\(id.hex).export")
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: marker.path)
            try Data("0000000000000000000000000000000000000000\n".utf8).write(to: marker)
            let again = try source.export(commit: id, into: revisions)
            #expect(try FileManager.default.attributesOfItem(atPath: again.path)[.systemFileNumber] as? Int != inode)
            return
        }
        try Unprivileged.give(exported)
        let again = try source.export(commit: id, into: revisions)
        #expect(try FileManager.default.attributesOfItem(atPath: again.path)[.systemFileNumber] as? Int != inode)
        #expect(try FileManager.default.attributesOfItem(atPath: again.path)[.ownerAccountID] as? Int == Int(getuid()))
        #expect(try String(contentsOf: again.appendingPathComponent("serve.sh"), encoding: .utf8) == "echo real\n")
    }

    private func permissions(_ url: URL) throws -> Int {
        let value = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        return try #require(value) & 0o777
    }
}
