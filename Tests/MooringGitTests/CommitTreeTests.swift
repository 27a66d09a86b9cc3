import Foundation
import MooringGit
import MooringTesting
import Testing

/// One commit's tree opened once for many lookups (`mooring plan`'s model-path checks):
/// it answers exactly as the one-shot `GitSource` reads do, and lets go of its handles.
@Suite struct CommitTreeTests {
    @Test func answersAsTheOneShotReadsDoAndReleasesItsHandles() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("models/iris.json", "{\"w\": [1, 2]}\n")
        try repo.write("models/big/weights.bin", "0123")
        try repo.write("manifests/a.yaml", "a: 1\n")
        try FileManager.default.createSymbolicLink(
            atPath: repo.directory.appendingPathComponent("models/latest.json").path, withDestinationPath: "iris.json")
        try repo.commitAll("Models")
        let source = try makeSource(.localPath(repo.directory.path), state: dir)
        let commit = try await source.update(previous: nil).commit.id

        do {
            let tree = try source.commitTree(at: commit)
            let cases: [(String, TreeEntryKind)] = [
                ("models/iris.json", .file), ("models/big", .directory), ("./models/big/", .directory),
                ("models/latest.json", .symlink(target: "iris.json")), ("", .directory),
            ]
            for (path, kind) in cases {
                #expect(try tree.entry(at: path) == kind, "\(path)")
                #expect(try source.entry(at: commit, path: path) == kind, "\(path)")
                #expect(try tree.objectID(at: path) == source.objectID(at: commit, path: path), "\(path)")
            }
            #expect(try tree.withBlob(at: "models/iris.json") { Data($0) } == Data("{\"w\": [1, 2]}\n".utf8))
            for missing in ["models/nope.json", "models/latest.json/x", "nowhere/at/all"] {
                #expect(throws: GitError.self, "\(missing)") { try tree.entry(at: missing) }
                #expect(throws: GitError.self, "\(missing)") { try tree.objectID(at: missing) }
            }
            #expect(throws: GitError.self) { try tree.withBlob(at: "models/big") { Data($0) } }
            #expect(source.liveHandleCount > 0)  // the tree holds the repository open
        }
        #expect(source.liveHandleCount == 0)
    }
}
