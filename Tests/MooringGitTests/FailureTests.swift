import Foundation
import MooringGit
import MooringTesting
import Testing

@Suite struct FailureTests {
    enum Unreachable: String, CaseIterable, Sendable { case connectionRefused, unknownHost }

    @Test(arguments: Unreachable.allCases)
    func anUnreachableHostIsARetryableFact(_ kind: Unreachable) async throws {
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let url = switch kind {
        case .connectionRefused: "http://127.0.0.1:\(try closedLoopbackPort())/repo.git"
        case .unknownHost: "http://mooring-test.invalid/repo.git"  // .invalid never resolves (RFC 6761)
        }
        let source = try makeSource(.remote(url: url), state: state)
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .unreachable, "\(String(describing: error))")
        #expect(error?.isRetryable == true)
        #expect(error?.function == "git_remote_fetch")
        #expect(error?.message.contains(kind == .unknownHost ? "mooring-test.invalid" : "127.0.0.1") == true)
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
