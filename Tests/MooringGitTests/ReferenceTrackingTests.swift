import Foundation
import MooringGit
import MooringTesting
import Testing

/// A repository with history to track:
/// `A` (tagged `v1`, annotated) ← `B` = main; `release` = `A` ← `C`.
struct TrackingFixture {
    let repo: GitFixture
    let a: String, b: String, c: String

    init(in dir: TemporaryDirectory) throws {
        repo = try manifestRepository(in: dir)
        a = try repo.revParse()
        try repo.git("tag", "-a", "v1", "-m", "Version 1")
        try repo.write("manifests/iris.yaml", "name: iris\nversion: B\n")
        b = try repo.commitAll("B on main")
        try repo.git("checkout", "-q", "-b", "release", a)
        try repo.write("manifests/iris.yaml", "name: iris\nversion: C\n")
        c = try repo.commitAll("C on release")
        try repo.git("checkout", "-q", "main")
    }

    func location(_ kind: LocationKind) -> MooringGit.SourceLocation {
        kind == .local ? .localPath(repo.directory.path) : .remote(url: "file://" + repo.directory.path)
    }
}

enum LocationKind: String, CaseIterable, Sendable { case local, remote }

enum TrackingCase: String, CaseIterable, Sendable {
    case defaultBranch, branch, tag, pinnedCommit
}

@Suite struct ReferenceTrackingTests {
    @Test(arguments: TrackingCase.allCases, LocationKind.allCases)
    func tracksBranchesTagsAndPinnedCommits(_ tracking: TrackingCase, _ kind: LocationKind) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fixture = try TrackingFixture(in: dir)
        let (reference, expected, branch): (GitReference, String, String?) = switch tracking {
        case .defaultBranch: (.defaultBranch, fixture.b, "main")
        case .branch: (.branch("release"), fixture.c, "release")
        case .tag: (.tag("v1"), fixture.a, nil)
        case .pinnedCommit: (.commit(fixture.a), fixture.a, nil)
        }
        let source = try makeSource(fixture.location(kind), reference: reference, state: dir)
        let update = try await source.update(previous: nil)
        #expect(update.commit.id.hex == expected)
        #expect(update.resolvedBranch == branch)
    }

    @Test(arguments: LocationKind.allCases)
    func aForcePushIsFollowedAndReported(_ kind: LocationKind) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fixture = try TrackingFixture(in: dir)
        let source = try makeSource(fixture.location(kind), reference: .branch("main"), state: dir)
        let before = try await source.update(previous: nil)
        #expect(before.commit.id.hex == fixture.b)

        // Rewrite main: drop B, put D on A.
        try fixture.repo.git("reset", "-q", "--hard", fixture.a)
        try fixture.repo.write("manifests/iris.yaml", "name: iris\nversion: D\n")
        let d = try fixture.repo.commitAll("D replaces B")

        let after = try await source.update(previous: before.commit.id)
        #expect(after.commit.id.hex == d)
        #expect(after.rewrittenFrom == before.commit.id)
        #expect(after.rewriteDescription == "rewritten from \(fixture.b.prefix(7)) to \(d.prefix(7))")
        #expect(try source.files(at: after.commit.id, under: "manifests").first?.contents == Data("name: iris\nversion: D\n".utf8))

        // A fast-forward afterwards is not a rewrite.
        try fixture.repo.write("manifests/x.yaml", "x: 1\n")
        let e = try fixture.repo.commitAll("E")
        let forward = try await source.update(previous: after.commit.id)
        #expect(forward.commit.id.hex == e)
        #expect(forward.rewrittenFrom == nil)
    }

    @Test(arguments: LocationKind.allCases)
    func aDeletedBranchIsARefNotFoundError(_ kind: LocationKind) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fixture = try TrackingFixture(in: dir)
        let source = try makeSource(fixture.location(kind), reference: .branch("release"), state: dir)
        _ = try await source.update(previous: nil)

        try fixture.repo.git("branch", "-q", "-D", "release")
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .refNotFound)
        #expect(error?.message.contains("branch `release` not found") == true)
        #expect(error?.isRetryable == false)
    }

    @Test func aPinnedCommitThatDoesNotExistIsAnError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fixture = try TrackingFixture(in: dir)
        let missing = String(repeating: "ab", count: 20)
        let source = try makeSource(fixture.location(.remote), reference: .commit(missing), state: dir)
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .refNotFound)
        #expect(error?.message.contains(missing) == true)

        let short = await gitError { _ = try makeSource(fixture.location(.local), reference: .commit("abc1234"), state: dir) }
        #expect(short?.code == .invalidConfiguration)
    }

    @Test(arguments: LocationKind.allCases)
    func resolvesAnyRevisionForPlan(_ kind: LocationKind) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fixture = try TrackingFixture(in: dir)
        let source = try makeSource(fixture.location(kind), state: dir)
        #expect(try await source.resolve("release").id.hex == fixture.c)
        #expect(try await source.resolve("v1").id.hex == fixture.a)
        #expect(try await source.resolve(String(fixture.b.prefix(8))).id.hex == fixture.b)
        #expect(try await source.resolve("main~1").id.hex == fixture.a)
        #expect(try await source.resolve("release").subject == "C on release")

        // A branch pushed after the first fetch is found by fetching again.
        try fixture.repo.git("branch", "pr-42", fixture.c)
        #expect(try await source.resolve("pr-42").id.hex == fixture.c)

        let error = await gitError { _ = try await source.resolve("no-such-branch") }
        #expect(error?.code == .refNotFound)
    }
}
