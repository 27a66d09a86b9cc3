import Foundation
import MooringModelChecks

/// A deployment with its runtime merged in and every default applied: exactly what the
/// controller runs. Its `specHash` is its identity — equal specs hash equal however the
/// YAML was formatted, a runtime change changes the hash of every user, and so does a
/// change to the model's content (see `ResolvedDeployment+Identity.swift`).
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
        /// Canary steps and their analysis; nil without `spec.rollout.canary` (left out of
        /// the canonical JSON then, so specs without canaries keep their hash).
        public var canary: CanaryRollout? = nil
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
        /// The digest `model.sha256` gave (lowercase), checked against the file.
        public var sha256: String?
        /// `model.version` as written (free text), empty when not given.
        public var version: String
        /// What the model's bytes are at the revision: the Git object id (blob or tree, 40
        /// hex digits) of `uri` — after following symbolic links — in the controller's
        /// view of a commit, so changing the model file or any file in a model directory
        /// changes it. `nil` where the repository view has no content identity (a
        /// directory on disk, as `mooring validate` reads it) and in specs stored before
        /// spec-hash version 2. Part of `specHash` from version 2 on.
        public var contentID: String?
        /// `insecure: true` as written (plain HTTP to a host that is not loopback); nil when
        /// not set, so specs without it hash as before.
        public var insecure: Bool?
        /// `downloadDeadlineSeconds` as written; nil: ``ManifestDefaults/downloadDeadlineSeconds``.
        public var downloadDeadlineSeconds: Int?

        public init(uri: String, sha256: String? = nil, version: String = "", contentID: String? = nil,
                    insecure: Bool? = nil, downloadDeadlineSeconds: Int? = nil) {
            self.uri = uri
            self.sha256 = sha256
            self.version = version
            self.contentID = contentID
            self.insecure = insecure
            self.downloadDeadlineSeconds = downloadDeadlineSeconds
        }

        /// The URI parsed. A resolved spec's URI validated, so it parses; should a stored
        /// spec hold one that does not, it reads as a repository path, which the start then
        /// fails to find (with the path in the message) rather than fetching anything.
        public var location: ModelURI {
            switch ModelURI.parse(uri, insecure: insecure ?? false) {
            case let .success(location): return location
            case .failure: return .repository(path: uri)
            }
        }

        /// How long the `Preparing` phase may take to fetch the artifact.
        public var downloadDeadline: Int { downloadDeadlineSeconds ?? ManifestDefaults.downloadDeadlineSeconds }
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
    /// The stable endpoint, if any. Nil is left out of the canonical JSON, so specs
    /// without one hash as before; not part of ``templateHash``: a data-plane setting.
    public var endpoint: StableEndpoint? = nil
    /// `spec.tests` with their files read: the golden requests of the Testing gate. `nil`
    /// when there are none, so specs without tests keep their hash.
    public var tests: [ModelCheck]? = nil
    /// Named extra ports (`spec.ports` of the runtime and the deployment), sorted; nil when
    /// there are none, so a spec without them hashes as before (``NamedPorts``).
    public var ports: [String]?
}
