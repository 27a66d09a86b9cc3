import Foundation
import MooringGit
import MooringTesting
import Testing

/// An unchanged poll of a local repository answers from memory (no libgit2 handle opened),
/// and every way the tracked reference can move is still seen at the very next poll: each
/// row moves it one way, after the source has read it twice (so its ref stamp is taken).
@Suite struct UnchangedLocalReadTests {
    struct Move: Sendable, CustomTestStringConvertible {
        var label: String
        /// Moves the reference; returns the commit it now names.
        var apply: @Sendable (GitFixture) throws -> String
        var testDescription: String { label }
    }

    static let moves: [Move] = [
        Move(label: "a new commit on the branch (loose ref replaced)") { repo in
            try repo.write("manifests/more.yaml", "more: true\n")
            return try repo.commitAll("More")
        },
        Move(label: "refs packed, then a new commit") { repo in
            try repo.git("pack-refs", "--all")
            try repo.write("manifests/more.yaml", "more: true\n")
            return try repo.commitAll("More")
        },
        Move(label: "the branch reset to its parent (history rewritten)") { repo in
            try repo.git("reset", "-q", "--hard", "HEAD~1")
            return try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        },
        Move(label: "another branch checked out (HEAD moves)") { repo in
            try repo.git("checkout", "-q", "-b", "other", "HEAD~1")
            return try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        },
        Move(label: "update-ref to another commit") { repo in
            let parent = try repo.git("rev-parse", "HEAD~1").trimmingCharacters(in: .whitespacesAndNewlines)
            try repo.git("update-ref", "refs/heads/main", parent)
            return parent
        },
    ]

    @Test(arguments: moves) func movesAreSeenAndUnchangedPollsOpenNothing(_ move: Move) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try manifestRepository(in: dir)
        try repo.write("manifests/iris.yaml", "name: iris\n")
        let tip = try repo.commitAll("Second")
        let source = try makeSource(.localPath(repo.directory.path), state: dir)

        let first = try await source.update(previous: nil)
        let second = try await source.update(previous: first.commit.id)
        #expect(first.commit.id.hex == tip && second.commit.id.hex == tip)
        let opened = source.openedHandleCount
        let unchanged = try await source.update(previous: second.commit.id)
        #expect(unchanged.commit == second.commit && !unchanged.changed && unchanged.resolvedBranch == "main")
        #expect(source.openedHandleCount == opened, "an unchanged poll opened a libgit2 handle")

        let expected = try move.apply(repo)
        let moved = try await source.update(previous: unchanged.commit.id)
        #expect(moved.commit.id.hex == expected, "the move was not seen at the next poll")
        #expect(source.liveHandleCount == 0)
    }
}
