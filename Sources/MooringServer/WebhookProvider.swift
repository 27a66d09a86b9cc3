import Foundation
import MooringDigest

/// A Git host whose push webhooks trigger an immediate fetch, and how it signs them.
public enum WebhookProvider: String, Sendable, CaseIterable {
    /// `X-Hub-Signature-256: sha256=HEX`, HMAC-SHA256 of the body.
    case github
    /// `X-Gitlab-Token: SECRET`, the secret itself.
    case gitlab
    /// `X-Gitea-Signature: HEX`, HMAC-SHA256 of the body.
    case gitea
    /// `X-Mooring-Signature: sha256=HEX` (or bare `HEX`), HMAC-SHA256 of the body.
    case generic

    /// The header that carries the signature or token.
    public var header: String {
        switch self {
        case .github: "X-Hub-Signature-256"
        case .gitlab: "X-Gitlab-Token"
        case .gitea: "X-Gitea-Signature"
        case .generic: "X-Mooring-Signature"
        }
    }

    /// Why `value` (the header, if present) does not prove the sender knows `secret`,
    /// or nil when it does. The secret never appears in the answer.
    public func rejection(of value: String?, body: [UInt8], secret: [UInt8]) -> String? {
        guard let value, !value.isEmpty else { return "no \(header) header" }
        switch self {
        case .gitlab:
            return ConstantTime.equal(Array(value.utf8), secret) ? nil : "wrong \(header)"
        case .github, .gitea, .generic:
            var hex = Substring(value)
            if hex.hasPrefix("sha256=") {
                hex = hex.dropFirst("sha256=".count)
            } else if self == .github {
                return "malformed \(header): it must start with sha256="
            }
            guard let given = Self.bytes(hex: hex), given.count == SHA256Hasher.byteCount else {
                return "malformed \(header): expected 64 hexadecimal digits"
            }
            let expected = HMACSHA256.code(for: body, key: secret)
            return ConstantTime.equal(given, expected) ? nil : "wrong \(header) (the body was not signed with this controller's secret)"
        }
    }

    /// The signature header value for `body` (tests and clients of the generic webhook).
    public static func hmacSHA256Hex(_ body: [UInt8], secret: [UInt8]) -> String {
        Hex.string(HMACSHA256.code(for: body, key: secret))
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// What a push payload says about the ref it moved: enough to ignore pushes to other branches.
struct PushPayload: Decodable {
    struct Repository: Decodable {
        var defaultBranch: String?
        enum CodingKeys: String, CodingKey { case defaultBranch = "default_branch" }
    }
    var ref: String?
    /// GitHub and Gitea.
    var repository: Repository?
    /// GitLab.
    var project: Repository?

    var defaultBranch: String? { repository?.defaultBranch ?? project?.defaultBranch }

    /// Reads the payload; a body that is not a JSON object says nothing about a ref.
    static func read(_ body: [UInt8]) -> PushPayload {
        do {
            return try JSONDecoder().decode(PushPayload.self, from: Data(body))
        } catch {
            return PushPayload()
        }
    }
}
