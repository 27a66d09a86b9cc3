import Foundation
import MooringGit
import MooringTesting
import Testing

@Suite struct FailureTests {
    @Test func anUnreachableHostIsARetryableFact() async throws {
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let port = try closedLoopbackPort()
        let source = try makeSource(.remote(url: "http://127.0.0.1:\(port)/repo.git"), state: state)
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .unreachable)
        #expect(error?.isRetryable == true)
        #expect(error?.function == "git_remote_fetch")
    }

    @Test func aMissingRemoteRepositoryIsNotFound() async throws {
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let source = try makeSource(.remote(url: "file://" + state.appending("no-such-repo").path), state: state)
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .notFound, "\(String(describing: error))")
        #expect(error?.isRetryable == false)
    }

    @Test func aMissingRepositoryBehindHTTPIsNotFound() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let variable = uniqueEnvironmentVariable(ServedRepository.password)
        defer { unsetenv(variable) }
        let source = try makeSource(
            .remote(url: served.server.baseURL + "/missing.git"), state: state,
            credentials: GitCredentials(https: .init(username: ServedRepository.user, password: .environment(variable))))
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .notFound)
    }

    @Test func aFetchThatMakesNoProgressIsAbandoned() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let source = try makeSource(
            .remote(url: served.server.baseURL + "/hang/repo.git"), state: state, stallTimeout: .milliseconds(300))
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .stalled)
        #expect(error?.isRetryable == true)
        #expect(served.server.requests().contains { $0.auth == "hang" })
        // While the abandoned fetch is still blocked, another update says so instead of piling up.
        let again = await gitError { _ = try await source.update(previous: nil) }
        #expect(again?.code == .stalled)
    }

    @Test func sshWithoutAReadableKnownHostsFileIsAConfigurationError() async throws {
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let source = try makeSource(
            .remote(url: "git@127.0.0.1:team/manifests.git"), state: state,
            credentials: GitCredentials(ssh: .init(
                privateKeyPath: state.appending("id_ed25519").path, knownHostsPath: state.appending("known_hosts").path)))
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("known_hosts") == true)
    }
}
