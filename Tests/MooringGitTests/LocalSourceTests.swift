import Foundation
import MooringGit
import MooringTesting
import Testing

@Suite struct LocalSourceTests {
    @Test func readsTheCurrentBranchTipWithoutTouchingTheWorkTree() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try manifestRepository(in: dir)
        try repo.write("manifests/iris.yaml", "name: iris\nreplicas: 2\n")
        let second = try repo.commitAll("Scale iris\n\nTwo replicas for the launch.")
        // Uncommitted and staged edits must not be seen, nor disturbed.
        try repo.write("manifests/iris.yaml", "name: edited-but-not-committed\n")
        try repo.write("manifests/staged.yaml", "staged: true\n")
        try repo.git("add", "manifests/staged.yaml")
        let statusBefore = try repo.git("status", "--porcelain")

        let source = try makeSource(.localPath(repo.directory.path), state: dir)
        let update = try await source.update(previous: nil)

        #expect(update.commit.id.hex == second)
        #expect(update.commit.id.short == String(second.prefix(7)))
        #expect(update.commit.subject == "Scale iris")
        #expect(update.commit.message.contains("Two replicas for the launch."))
        #expect(update.commit.author == "Mooring Test")
        #expect(update.commit.authorEmail == "test@mooring.invalid")
        #expect(update.resolvedBranch == "main")
        #expect(update.rewrittenFrom == nil)
        let files = try source.files(at: update.commit.id, under: "manifests")
        #expect(files.map(\.path) == ["manifests/iris.yaml"])
        #expect(files.first.map { String(decoding: $0.contents, as: UTF8.self) } == "name: iris\nreplicas: 2\n")
        #expect(try repo.git("status", "--porcelain") == statusBefore)
        #expect(try String(contentsOf: repo.directory.appendingPathComponent("manifests/iris.yaml"), encoding: .utf8)
            == "name: edited-but-not-committed\n")
        // A local source never creates a mirror.
        #expect(!FileManager.default.fileExists(atPath: dir.appending("git").path))
    }

    @Test func followsTheCheckedOutBranchAndSeesNewCommitsWithoutFetching() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try manifestRepository(in: dir)
        try repo.git("checkout", "-q", "-b", "staging")
        try repo.write("manifests/staging.yaml", "env: staging\n")
        let staging = try repo.commitAll("Staging")
        let source = try makeSource(.localPath(repo.directory.path), state: dir)

        let first = try await source.update(previous: nil)
        #expect(first.commit.id.hex == staging)
        #expect(first.resolvedBranch == "staging")

        try repo.write("manifests/more.yaml", "more: true\n")
        let next = try repo.commitAll("More")
        let second = try await source.update(previous: first.commit.id)
        #expect(second.commit.id.hex == next)
        #expect(second.previous == first.commit.id)
        #expect(second.rewrittenFrom == nil)
        #expect(second.changed)
    }

    @Test func aMissingRepositoryIsANotFoundError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let source = try makeSource(.localPath(dir.appending("nope").path), state: dir)
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("nope") == true)
        #expect(error?.isRetryable == false)
    }
}
