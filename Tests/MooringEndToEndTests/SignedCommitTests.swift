import Foundation
import MooringTesting
import Testing

/// `policy.verifyCommits` with real `ssh-keygen` keys and real signed commits: only a
/// commit signed by an allowed key is applied; an unsigned, a tampered and an unknown
/// signer's commit are each rejected with the commit, the key and the reason, and nothing
/// changes on the host; adding a key to the allowed signers file needs no restart.
@Suite(.timeLimit(.minutes(5)))
struct SignedCommitTests {
    /// Makes an ed25519 key pair `name` (no passphrase) in `directory`; its public key line.
    static func makeKey(_ name: String, in directory: TemporaryDirectory) throws -> (path: String, publicKey: String, fingerprint: String) {
        let path = directory.appending(name).path
        let made = try runCommand("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path])
        guard made.status == 0 else { throw TestingError("ssh-keygen failed: \(made.output)") }
        let publicKey = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try runCommand("/usr/bin/ssh-keygen", ["-l", "-f", path + ".pub"])
        let fingerprint = listed.stdout.split(separator: " ").first { $0.hasPrefix("SHA256:") }.map(String.init) ?? ""
        return (path, publicKey, fingerprint)
    }

    /// Commits everything, signed with the SSH key at `key` (unsigned when nil).
    static func commit(_ repo: GitFixture, _ message: String, signedWith key: String?) throws -> String {
        try repo.git("add", "-A")
        if let key {
            try repo.git("-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)", "commit", "-q", "--allow-empty", "-S", "-m", message)
        } else {
            try repo.git("commit", "-q", "--allow-empty", "-m", message)
        }
        return try repo.revParse()
    }

    @Test func onlyCommitsSignedByAnAllowedKeyAreApplied() async throws {
        try await ControllerHarness.with(name: "signed") { h in
        let alice = try Self.makeKey("alice", in: h.directory)
        let bob = try Self.makeKey("bob", in: h.directory)
        let signers = h.directory.appending("allowed_signers")
        try Data("alice@example.com namespaces=\"git\" \(alice.publicKey)\n".utf8).write(to: signers)
        let config = try h.directory.write("config.yaml", """
            policy:
              verifyCommits: {mode: ssh, allowedSigners: allowed_signers}
            """)

        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
        let first = try Self.commit(h.repo, "deploy iris", signedWith: alice.path)
        try h.startController(arguments: ["--config", config.path])
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        let pids = h.modelProcesses(of: "iris")

        /// Waits until the source reports `commit` rejected with every fragment in its error.
        func expectRejected(_ commit: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let rejected = try await h.waitForStatus { status in
                let source = status["source"] as? [String: Any]
                let error = source?["error"] as? String ?? ""
                return source?["commit"] as? String == commit && fragments.allSatisfy { error.contains($0) }
            }
            #expect(rejected, "\(h.output(["status", "-o", "json"]))", sourceLocation: sourceLocation)
            // Nothing changed on the host: the same process serves version 1.
            #expect(h.modelProcesses(of: "iris") == pids, sourceLocation: sourceLocation)
            #expect(try await h.servedVersion("iris") == "1", sourceLocation: sourceLocation)
            let iris = try await h.deployment("iris")
            #expect(iris?["desiredRevision"] as? String == first, "\(String(describing: iris))", sourceLocation: sourceLocation)
        }

        // Unsigned.
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
        let unsigned = try Self.commit(h.repo, "iris v2, unsigned", signedWith: nil)
        _ = try? await h.mooring(["sync"])
        try await expectRejected(unsigned, ["commit \(unsigned.prefix(7)) rejected, nothing applied", "policy.verifyCommits", "not signed"])

        // Tampered: alice's signature over other content (the subject is changed afterwards).
        // Signed on a side branch, so the tracked branch never points at the honest commit.
        try h.repo.git("checkout", "-q", "-b", "side")
        let signed = try Self.commit(h.repo, "iris v2, signed", signedWith: alice.path)
        try h.repo.git("checkout", "-q", "main")
        let object = try h.repo.git("cat-file", "commit", signed)
        let forged = h.directory.appending("forged-commit")
        try Data((object.replacingOccurrences(of: "iris v2, signed", with: "iris v2, signed by alice (honest)") + "\n").utf8).write(to: forged)
        let tampered = try h.repo.git("hash-object", "-t", "commit", "-w", forged.path)
        try h.repo.git("update-ref", "refs/heads/main", tampered)
        _ = try? await h.mooring(["sync"])
        try await expectRejected(tampered, ["commit \(tampered.prefix(7)) rejected", "does not match the commit's content", alice.fingerprint])

        // Signed by a key the host does not know (on top of the tampered tip: only the tip counts).
        try h.repo.git("reset", "-q", "--hard", tampered)
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, replicas: 1, minHealthySeconds: 2))
        let bobs = try Self.commit(h.repo, "iris v2, by bob", signedWith: bob.path)
        _ = try? await h.mooring(["sync"])
        try await expectRejected(bobs, ["commit \(bobs.prefix(7)) rejected", "not in the allowed signers file", bob.fingerprint])
        let statusTable = try await h.mooring(["status"])
        #expect(statusTable.stdout.contains(bob.fingerprint), "\(statusTable.stdout)")

        // Rotation: bob is allowed from now on, without a restart.
        try Data("alice@example.com namespaces=\"git\" \(alice.publicKey)\nbob@example.com namespaces=\"git\" \(bob.publicKey)\n".utf8).write(to: signers)
        _ = try? await h.mooring(["sync"])
        #expect(try await h.waitUntilServing("iris", at: bobs), "\(h.controllerLog)")
        #expect(try await h.servedVersion("iris") == "2")
        let history = try await h.history("iris")
        #expect((history.last?["signer"] as? String)?.hasPrefix(bob.fingerprint + " bob@example.com") == true, "\(history)")
        }
    }
}
