import Foundation
import MooringGit
import MooringTesting
import Testing

/// A bare repository served over loopback HTTP behind Basic auth.
final class ServedRepository {
    static let user = "alice"
    static let password = "s3cret-Token-42"
    let dir: TemporaryDirectory
    let upstream: GitFixture
    let server: GitHTTPServer
    var url: String { server.baseURL + "/repo.git" }

    init() throws {
        dir = try TemporaryDirectory(prefix: "mooring-served")
        do {
            upstream = try manifestRepository(in: dir)
            let root = dir.appending("root")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try GitFixture.git(["clone", "-q", "--bare", upstream.directory.path, root.appendingPathComponent("repo.git").path], in: nil)
            server = try GitHTTPServer(projectRoot: root, username: Self.user, password: Self.password)
        } catch {
            dir.remove()
            throw error
        }
    }

    /// Pushes new commits from the work tree to the served bare repository.
    func push() throws {
        try upstream.git("push", "-q", dir.appending("root/repo.git").path, "main")
    }

    func stop() {
        server.stop()
        dir.remove()
    }
}

/// Sets a uniquely named environment variable for one test and returns its name.
func uniqueEnvironmentVariable(_ value: String) -> String {
    let name = "MOORING_TEST_SECRET_\(UUID().uuidString.replacingOccurrences(of: "-", with: "_"))"
    setenv(name, value, 1)
    return name
}

@Suite struct CredentialTests {
    @Test func theRightCredentialFromTheEnvironmentReachesTheServer() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let variable = uniqueEnvironmentVariable(ServedRepository.password)
        defer { unsetenv(variable) }
        let logs = LogRecorder()
        let source = try makeSource(
            .remote(url: served.url), state: state,
            credentials: GitCredentials(https: .init(username: ServedRepository.user, password: .environment(variable))),
            logs: logs)

        let first = try await source.update(previous: nil)
        #expect(first.commit.id.hex == (try served.upstream.revParse()))
        #expect(served.server.requests().contains { $0.auth == "ok" })
        #expect(served.server.requests().allSatisfy { $0.auth != "bad" })

        try served.upstream.write("manifests/new.yaml", "new: 1\n")
        let next = try served.upstream.commitAll("New")
        try served.push()
        #expect(try await source.update(previous: first.commit.id).commit.id.hex == next)
        #expect(!logs.all.joined().contains(ServedRepository.password))
    }

    @Test func aTokenFromAFileWorks() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let tokenFile = try state.write("token", ServedRepository.password + "\n")
        let source = try makeSource(
            .remote(url: served.url), state: state,
            credentials: GitCredentials(https: .token(.file(tokenFile.path), username: ServedRepository.user)))
        #expect(try await source.update(previous: nil).commit.id.hex == (try served.upstream.revParse()))
    }

    @Test(arguments: [1, 3])
    func aWrongCredentialFailsAfterBoundedAttemptsWithoutRevealingIt(maxAttempts: Int) async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let wrong = "wrong-Password-99"
        let variable = uniqueEnvironmentVariable(wrong)
        defer { unsetenv(variable) }
        let logs = LogRecorder()
        let source = try makeSource(
            .remote(url: served.url), state: state,
            credentials: GitCredentials(
                https: .init(username: ServedRepository.user, password: .environment(variable)), maxAttempts: maxAttempts),
            logs: logs)

        let error = await gitError { _ = try await source.update(previous: nil) }
        let failure = try #require(error)
        #expect(failure.code == .authenticationFailed)
        #expect(!failure.isRetryable)
        #expect(failure.message.contains("`\(ServedRepository.user)`"))
        #expect(failure.message.contains(variable))
        #expect(!failure.description.contains(wrong))
        #expect(!logs.all.joined(separator: "\n").contains(wrong))
        let bad = served.server.requests().filter { $0.auth == "bad" }.count
        #expect(bad >= 1 && bad <= maxAttempts)
    }

    @Test func credentialsInTheURLAreScrubbedFromErrors() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let inURL = "hunter2-in-url"
        let url = served.url.replacingOccurrences(of: "http://", with: "http://alice:\(inURL)@")
        let logs = LogRecorder()
        let source = try makeSource(.remote(url: url), state: state, logs: logs)

        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .authenticationFailed)
        #expect(error.map { !$0.description.contains(inURL) } == true)
        #expect(!logs.all.joined(separator: "\n").contains(inURL))
        #expect(!String(describing: source.configuration.location).contains(inURL))
    }

    @Test func aServerAskingForCredentialsWhenNoneAreConfiguredSaysSo() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let source = try makeSource(.remote(url: served.url), state: state)
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.message.contains("none") == true)
    }

    @Test func aMissingCredentialSourceIsAConfigurationError() async throws {
        let served = try ServedRepository()
        defer { served.stop() }
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let source = try makeSource(
            .remote(url: served.url), state: state,
            credentials: GitCredentials(https: .token(.environment("MOORING_TEST_UNSET_\(UUID().uuidString.prefix(8))"))))
        let error = await gitError { _ = try await source.update(previous: nil) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("environment variable MOORING_TEST_UNSET_") == true)
        #expect(served.server.requests().isEmpty)
    }
}
