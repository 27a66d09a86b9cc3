import Foundation

/// A deployment with its runtime merged in and every default applied: exactly what the
/// controller runs. Its `specHash` is its identity — equal specs hash equal however the
/// YAML was formatted, and a runtime change changes the hash of every user.
public struct ResolvedDeployment: Hashable, Sendable, Codable {
    /// The fully resolved health check.
    public struct Health: Hashable, Sendable, Codable {
        public var probe: ProbeAction
        public var startupTimeoutSeconds: Int
        public var periodSeconds: Int
        public var timeoutSeconds: Int
        public var failureThreshold: Int
        public var successThreshold: Int
    }

    /// The fully resolved rollout settings.
    public struct Rollout: Hashable, Sendable, Codable {
        public var strategy: RolloutStrategy
        public var minHealthySeconds: Int
        public var progressDeadlineSeconds: Int
        public var autoRollback: Bool
    }

    /// The fully resolved restart settings.
    public struct Restart: Hashable, Sendable, Codable {
        public var policy: RestartPolicy
        public var backoffInitialSeconds: Double
        public var backoffMaxSeconds: Double
        public var backoffResetAfterSeconds: Double
    }

    /// The model to serve.
    public struct Model: Hashable, Sendable, Codable {
        /// Path inside the repository.
        public var uri: String
        public var sha256: String?
        public var version: String
    }

    public var name: String
    public var labels: [String: String]
    public var model: Model?
    /// The ServingRuntime merged in, if any (its name, for display).
    public var runtime: String?
    /// argv with template variables still in place; rendered per replica.
    public var command: [String]
    public var env: [String: String]
    public var workingDir: String
    public var replicas: Int
    public var health: Health
    public var rollout: Rollout
    public var restart: Restart
    public var gracePeriodSeconds: Int
    public var suspend: Bool

    /// Canonical JSON: sorted keys, no whitespace, so equal specs give equal bytes.
    public func canonicalJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and dictionaries of strings cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// SHA-256 of the canonical JSON, as hex: the spec's identity.
    public var specHash: String { SHA256Digest.hex(canonicalJSON()) }

    /// SHA-256 of what a replica process sees (everything but replica count, rollout
    /// settings, labels and `suspend`): a change here needs new processes, a change
    /// elsewhere does not.
    public var templateHash: String {
        var copy = self
        copy.replicas = 0
        copy.labels = [:]
        copy.suspend = false
        copy.rollout = Rollout(strategy: .surge, minHealthySeconds: 0, progressDeadlineSeconds: 0, autoRollback: false)
        return SHA256Digest.hex(copy.canonicalJSON())
    }
}
