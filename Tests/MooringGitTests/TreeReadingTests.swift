import Foundation
import MooringGit
import MooringTesting
import Testing

@Suite struct TreeReadingTests {
    /// A repository with a nested manifests tree and files outside it.
    private func nestedRepository(_ dir: TemporaryDirectory) throws -> (GitFixture, GitSource) {
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("manifests/a.yaml", "a: 1\n")
        try repo.write("manifests/team/b.yaml", "b: 2\n---\nb: 3\n")
        try repo.write("manifests/team/deep/c.yml", "c: 4\n")
        try repo.write("manifests/team/deep/run.sh", "#!/bin/sh\necho hi\n")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: repo.directory.appendingPathComponent("manifests/team/deep/run.sh").path)
        try FileManager.default.createSymbolicLink(
            atPath: repo.directory.appendingPathComponent("manifests/link.yaml").path, withDestinationPath: "a.yaml")
        try repo.write("manifests-old/stale.yaml", "stale: true\n")
        try repo.write("models/iris.json", "{}\n")
        try repo.commitAll("Nested manifests")
        let source = try makeSource(.localPath(repo.directory.path), state: dir)
        return (repo, source)
    }

    @Test func readsEveryFileOfANestedTreeAtACommit() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (_, source) = try nestedRepository(dir)
        let commit = try await source.update(previous: nil).commit.id

        let files = try source.files(at: commit, under: "manifests")
        #expect(files.map(\.path) == [
            "manifests/a.yaml", "manifests/link.yaml", "manifests/team/b.yaml",
            "manifests/team/deep/c.yml", "manifests/team/deep/run.sh",
        ])
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0) })
        #expect(byPath["manifests/team/b.yaml"]?.contents == Data("b: 2\n---\nb: 3\n".utf8))
        #expect(byPath["manifests/team/deep/c.yml"]?.contents == Data("c: 4\n".utf8))
        #expect(byPath["manifests/team/deep/run.sh"]?.kind == .executable)
        #expect(byPath["manifests/a.yaml"]?.kind == .regular)
        #expect(byPath["manifests/link.yaml"]?.isSymlink == true)
        #expect(byPath["manifests/link.yaml"]?.contents == Data("a.yaml".utf8))

        // The same tree read with a sloppy path spelling, and a sub-directory.
        #expect(try source.files(at: commit, under: "./manifests/").map(\.path) == files.map(\.path))
        #expect(try source.files(at: commit, under: "manifests/team/deep").map(\.path)
            == ["manifests/team/deep/c.yml", "manifests/team/deep/run.sh"])
    }

    @Test func aMissingPathIsAnErrorForThatCommitNotAnEmptyState() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (repo, source) = try nestedRepository(dir)
        try repo.git("mv", "manifests", "deploy")
        let renamed = try repo.commitAll("Rename manifests to deploy")
        let commit = try await source.update(previous: nil).commit.id
        #expect(commit.hex == renamed)

        let short = String(renamed.prefix(7))
        let fromFiles = await gitError { _ = try source.files(at: commit, under: "manifests") }
        #expect(fromFiles?.code == .pathNotFound)
        #expect(fromFiles?.message.hasPrefix("path `manifests` not found at \(short)") == true)
        let fromTree = await gitError { _ = try source.treeID(at: commit, path: "manifests") }
        #expect(fromTree?.code == .pathNotFound)
        #expect(try source.files(at: commit, under: "deploy").count == 5)
    }

    @Test func theTreeIDChangesOnlyWhenSomethingUnderThePathChanges() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (repo, source) = try nestedRepository(dir)
        let first = try await source.update(previous: nil).commit.id
        let firstTree = try source.treeID(at: first, path: "manifests")

        try repo.write("models/iris.json", "{\"v\": 2}\n")
        try repo.write("manifests-old/stale.yaml", "stale: still\n")
        let outside = try await commitAndUpdate(repo, source, "Outside only")
        #expect(outside != first)
        #expect(try source.treeID(at: outside, path: "manifests") == firstTree)

        try repo.write("manifests/team/deep/c.yml", "c: 5\n")
        let inside = try await commitAndUpdate(repo, source, "Inside")
        #expect(try source.treeID(at: inside, path: "manifests") != firstTree)
        #expect(try source.treeID(at: inside, path: "manifests/team/deep") != source.treeID(at: first, path: "manifests/team/deep"))
        // A file is not a folder of manifests.
        let notAFolder = await gitError { _ = try source.treeID(at: inside, path: "manifests/team/b.yaml") }
        #expect(notAFolder?.code == .pathNotFound)
    }

    /// What a commit can put where the manifests folder was.
    enum NotAFolder: String, CaseIterable, Sendable {
        case symlinkToAFolder, symlinkOutside, file, submodule
    }

    /// Issue 13, item 2: before, a blob at the manifests path read as a folder with no
    /// manifests, and the controller removed every deployment.
    @Test(arguments: NotAFolder.allCases)
    func aManifestsPathThatIsNotAFolderIsAnErrorLikeAMissingOne(_ kind: NotAFolder) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (repo, source) = try nestedRepository(dir)
        try repo.git("mv", "manifests", "deploy")
        let link = repo.directory.appendingPathComponent("manifests")
        let expected: String
        switch kind {
        case .symlinkToAFolder:
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "deploy")
            expected = "is a symlink (to `deploy`)"
        case .symlinkOutside:
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "../../etc")
            expected = "is a symlink (to `../../etc`)"
        case .file:
            try repo.write("manifests", "apiVersion: mooring.dev/v1alpha1\n")
            expected = "is a file"
        case .submodule:
            let head = try repo.revParse()
            try repo.git("update-index", "--add", "--cacheinfo", "160000,\(head),manifests")
            // An empty folder in the work tree is how Git shows an uninitialised submodule.
            try FileManager.default.createDirectory(at: link, withIntermediateDirectories: true)
            expected = "is a submodule"
        }
        let sha = try repo.commitAll("Replace the manifests folder")
        let commit = try await source.update(previous: nil).commit.id
        #expect(commit.hex == sha)

        for error in [await gitError { _ = try source.treeID(at: commit, path: "manifests") },
                      await gitError { _ = try source.files(at: commit, under: "manifests") }] {
            #expect(error?.code == .pathNotFound)
            #expect(error?.message.hasPrefix("path `manifests` \(expected) at \(commit.short), not a folder") == true,
                    "\(String(describing: error))")
            #expect(error?.message.contains("nothing is removed") == true)
        }
        #expect(try source.files(at: commit, under: "deploy").count == 5)
    }

    @Test func listsTheFilesChangedUnderThePathBetweenTwoCommits() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (repo, source) = try nestedRepository(dir)
        let first = try await source.update(previous: nil).commit.id

        try repo.write("manifests/team/b.yaml", "b: changed\n")
        try repo.remove("manifests/a.yaml")
        try repo.write("manifests/new/d.yaml", "d: 1\n")
        try repo.write("manifests-old/stale.yaml", "outside\n")
        try repo.write("models/iris.json", "outside\n")
        let second = try await commitAndUpdate(repo, source, "Change things")

        #expect(try source.changedFiles(from: first, to: second, under: "manifests") == [
            "manifests/a.yaml", "manifests/new/d.yaml", "manifests/team/b.yaml",
        ])
        #expect(try source.changedFiles(from: second, to: second, under: "manifests") == [])
        #expect(try source.changedFiles(from: first, to: second, under: "").contains("models/iris.json"))
    }

    private func commitAndUpdate(_ repo: GitFixture, _ source: GitSource, _ message: String) async throws -> ObjectID {
        let sha = try repo.commitAll(message)
        let id = try await source.update(previous: nil).commit.id
        #expect(id.hex == sha)
        return id
    }
}
