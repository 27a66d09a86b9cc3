import Foundation
import MooringGit
import MooringTesting
import Testing

@Suite struct HandleLeakTests {
    @Test func everyLibgit2HandleIsFreedAfterAFullCycle() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let variable = uniqueEnvironmentVariable(ServedRepository.password)
        defer { unsetenv(variable) }
        let source = try makeSource(
            .remote(url: served.url), state: state,
            credentials: GitCredentials(https: .init(username: ServedRepository.user, password: .environment(variable))))
        #expect(source.liveHandleCount == 0)

        let first = try await source.update(previous: nil)
        try served.upstream.write("manifests/team/b.yaml", "b: 1\n")
        try served.upstream.commitAll("B")
        try served.push()
        let second = try await source.update(previous: first.commit.id)
        _ = try source.files(at: second.commit.id, under: "manifests")
        _ = try source.treeID(at: second.commit.id, path: "manifests")
        _ = try source.changedFiles(from: first.commit.id, to: second.commit.id, under: "manifests")
        _ = try await source.resolve("main~1")
        let revisions = state.appending("revisions")
        _ = try source.export(commit: first.commit.id, into: revisions)
        _ = try source.export(commit: second.commit.id, into: revisions)
        _ = try source.garbageCollectExports(in: revisions, keeping: [second.commit.id])
        // Failure paths free their handles too.
        _ = try? source.files(at: second.commit.id, under: "no-such-path")
        _ = try? await source.resolve("no-such-branch")

        #expect(source.liveHandleCount == 0)
    }
}
