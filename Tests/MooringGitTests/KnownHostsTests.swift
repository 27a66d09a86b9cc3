import Foundation
@testable import MooringGit
import Testing

/// Host-key checking decides whether an SSH fetch may talk to a server at all. (No SSH
/// server is installed on the build host, so the decision is tested on its own.)
@Suite struct KnownHostsTests {
    static let key = Data("ssh-ed25519 key bytes of git.example.com".utf8)
    static let otherKey = Data("a different key".utf8)

    static let file = """
        # comment line
        git.example.com,10.0.0.5 ssh-ed25519 \(key.base64EncodedString())
        [git.internal]:2222 ssh-ed25519 \(key.base64EncodedString())
        |1|c2FsdA==|aGFzaA== ssh-ed25519 \(key.base64EncodedString())
        @cert-authority *.example.com ssh-ed25519 \(key.base64EncodedString())
        broken line
        """

    @Test(arguments: [
        ("git.example.com", key, KnownHosts.Verdict.trusted),
        ("10.0.0.5", key, .trusted),
        ("git.internal", key, .trusted),
        ("git.example.com", otherKey, .mismatch),
        ("evil.example.com", key, .unknownHost),
        ("example.com", key, .unknownHost),
    ])
    func checksTheOfferedKeyAgainstKnownHosts(_ host: String, _ offered: Data, _ expected: KnownHosts.Verdict) {
        let knownHosts = KnownHosts(path: "known_hosts", contents: Self.file)
        #expect(knownHosts.verdict(host: host, key: offered) == expected)
    }
}
