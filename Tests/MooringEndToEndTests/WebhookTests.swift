import Foundation
import MooringDigest
import MooringTesting
import Testing

/// Signed push webhooks from each Git host trigger a fetch now; anything unsigned,
/// wrongly signed or oversized is refused and logged without the secret.
@Suite(.timeLimit(.minutes(5)))
struct WebhookTests {
    static let secret = "s3cret-webhook-value-\(UInt32.random(in: 0...UInt32.max))"

    /// How each provider signs a body, and a signature of the right shape that is malformed.
    enum Provider: String, CaseIterable {
        case github, gitlab, gitea, generic

        func headers(for body: Data, secret: String) -> [String: String] {
            let hex = Hex.string(HMACSHA256.code(for: Array(body), key: Array(secret.utf8)))
            switch self {
            case .github: return ["X-Hub-Signature-256": "sha256=\(hex)", "X-GitHub-Event": "push"]
            case .gitlab: return ["X-Gitlab-Token": secret, "X-Gitlab-Event": "Push Hook"]
            case .gitea: return ["X-Gitea-Signature": hex, "X-Gitea-Event": "push"]
            case .generic: return ["X-Mooring-Signature": "sha256=\(hex)"]
            }
        }

        var signatureHeader: String {
            switch self {
            case .github: "X-Hub-Signature-256"
            case .gitlab: "X-Gitlab-Token"
            case .gitea: "X-Gitea-Signature"
            case .generic: "X-Mooring-Signature"
            }
        }

        var malformed: String {
            switch self {
            case .github: "sha1=0123abcd"
            case .gitlab: "not-the-token"
            case .gitea: "zz-not-hex"
            case .generic: "sha256=12345"
            }
        }
    }

    static func push(_ ref: String) -> Data {
        Data(#"{"ref": "\#(ref)", "repository": {"default_branch": "main"}, "project": {"default_branch": "main"}}"#.utf8)
    }

    @Test func eachProvidersSignaturesAreCheckedAndASignedPushDeploysAtOnce() async throws {
        try await ControllerHarness.with(name: "webhooks") { h in
            let secretFile = h.directory.appending("webhook-secret")
            try Data((Self.secret + "\n").utf8).write(to: secretFile)
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            // A poll only every hour: only the webhooks make it fetch.
            try h.startController(interval: "1h", arguments: ["--webhook-secret-file", secretFile.path])
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            for provider in Provider.allCases {
                let path = "/api/v1/webhooks/\(provider.rawValue)"
                let body = Self.push("refs/heads/main")
                let signed = provider.headers(for: body, secret: Self.secret)

                let valid = try await h.api("POST", path, body: body, headers: signed)
                #expect(valid.status == 202, "\(provider): \(valid.text)")
                #expect(try valid.jsonObject()["triggered"] as? Bool == true, "\(provider)")

                var missing = signed
                missing[provider.signatureHeader] = nil
                let unsigned = try await h.api("POST", path, body: body, headers: missing)
                #expect(unsigned.status == 401, "\(provider): \(unsigned.text)")
                #expect(unsigned.text.contains("no \(provider.signatureHeader) header"))

                let wrong = try await h.api("POST", path, body: body, headers: provider.headers(for: body, secret: "another secret"))
                #expect(wrong.status == 401, "\(provider): \(wrong.text)")

                var bad = signed
                bad[provider.signatureHeader] = provider.malformed
                let malformed = try await h.api("POST", path, body: body, headers: bad)
                #expect(malformed.status == 401, "\(provider): \(malformed.text)")

                // The signature covers the body: a changed body with the old signature is refused.
                let tampered = try await h.api("POST", path, body: Self.push("refs/heads/evil"), headers: signed)
                #expect(tampered.status == (provider == .gitlab ? 202 : 401), "\(provider): \(tampered.text)")

                let otherBody = Self.push("refs/heads/feature")
                let other = try await h.api("POST", path, body: otherBody, headers: provider.headers(for: otherBody, secret: Self.secret))
                #expect(other.status == 202, "\(provider): \(other.text)")
                #expect(try other.jsonObject()["triggered"] as? Bool == false)
                #expect(other.text.contains("refs/heads/feature"))

                let huge = Data(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
                let oversized = try await h.api("POST", path, body: huge, headers: provider.headers(for: huge, secret: Self.secret))
                #expect(oversized.status == 413, "\(provider): \(oversized.text)")
            }
            let log = h.controllerLog
            #expect(log.contains("webhook github refused"))
            #expect(!log.contains(Self.secret), "the controller logged the webhook secret")

            // A commit, then one signed webhook: the new version serves without waiting for the hourly poll.
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
            let second = try h.repo.commitAll("iris v2")
            let body = Self.push("refs/heads/main")
            let hook = try await h.api("POST", "/api/v1/webhooks/github", body: body, headers: Provider.github.headers(for: body, secret: Self.secret))
            #expect(hook.status == 202)
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
        }
    }

    @Test func webhooksAreOffWithoutASecret() async throws {
        try await ControllerHarness.with(name: "webhooks-off") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            _ = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            let response = try await h.api("POST", "/api/v1/webhooks/generic", body: Self.push("refs/heads/main"))
            #expect(response.status == 404)
            #expect(response.text.contains("--webhook-secret-file"))
        }
    }
}
