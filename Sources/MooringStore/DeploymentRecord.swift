import Foundation
import GRDB

/// One deployment: what Git wants (desired), what the controller last tried (attempted),
/// what is serving (applied), and the status words `mooring status` shows.
///
/// Specs are canonical JSON text and their hash, both computed by the caller; the store
/// only checks that the JSON is valid.
public struct DeploymentRecord: Sendable, Codable, Equatable {
    /// The deployment's name (a DNS label, unique across the repository).
    public var name: String
    /// The spec at the branch tip, as canonical JSON.
    public var desiredSpec: String
    /// The hash of `desiredSpec`.
    public var desiredSpecHash: String
    /// The commit `desiredSpec` comes from.
    public var desiredRevision: String
    /// The spec hash of the last rollout started (set with `attemptedRevision`).
    public var attemptedSpecHash: String?
    /// The commit of the last rollout started.
    public var attemptedRevision: String?
    /// The spec serving now, as canonical JSON (set with its hash and revision).
    public var appliedSpec: String?
    /// The hash of `appliedSpec`.
    public var appliedSpecHash: String?
    /// The commit `appliedSpec` came from.
    public var appliedRevision: String?
    /// The spec that served before the applied one with a different model (what a
    /// `git revert` of the model change returns to), as canonical JSON; set with its hash
    /// and revision (schema v9).
    public var previousSpec: String?
    /// The hash of `previousSpec`.
    public var previousSpecHash: String?
    /// The commit `previousSpec` came from.
    public var previousRevision: String?
    /// The hash of the last spec that passed its health gate.
    public var lastHealthySpecHash: String?
    /// A spec hash that failed its rollout and is not retried until Git changes it
    /// (or `mooring sync --retry`); set with `quarantineReason`.
    public var quarantinedSpecHash: String?
    /// Why `quarantinedSpecHash` was quarantined.
    public var quarantineReason: String?
    /// Whether applied matches desired.
    public var sync: DeploymentSync
    /// How the replicas are doing.
    public var health: DeploymentHealth
    /// Why the deployment is not green, in words an operator can act on (`""` when fine).
    public var message: String
    /// Replicas passing their health checks.
    public var readyReplicas: Int
    /// Replicas the spec asks for.
    public var desiredReplicas: Int
    /// Where it serves (`http://127.0.0.1:8101`), when known.
    public var endpoint: String?
    /// Whether the deployment is suspended (the controller leaves it alone).
    public var suspended: Bool
    /// When the store first saw this deployment (kept across upserts).
    public var createdAt: Date
    /// When this row was last written (stamped by the store).
    public var updatedAt: Date
    /// The version of the spec-hash canonical form every hash in this row uses.
    public var specHashVersion: Int = 1
    /// The generation whose replicas serve the applied spec.
    public var servingGeneration: String?
    /// The number the next generation of replicas gets.
    public var nextGeneration: Int = 1
    /// The rollout state machine under way, as versioned JSON (the controller's format).
    public var rollout: String?
    /// Its phase, for readers that do not decode `rollout`.
    public var rolloutPhase: RolloutPhase?
    /// The canary step under way (1-based; schema v9), nil when no canary runs.
    public var canaryStep: Int?
    /// The new generation's share of requests in that step, percent (schema v9).
    public var canaryWeight: Int?
    /// Removed from Git; its replicas are being stopped before the row goes.
    public var removing: Bool = false
    /// Suspended by `mooring suspend` (as opposed to `spec.suspend` in Git).
    public var userSuspended: Bool = false
    /// Set while the tip commit is rejected and would have changed this deployment.
    public var rejection: String?

    /// Creates a deployment record. `createdAt`/`updatedAt` are stamped by the store on
    /// upsert, so callers may leave them out.
    public init(
        name: String, desiredSpec: String, desiredSpecHash: String, desiredRevision: String,
        attemptedSpecHash: String? = nil, attemptedRevision: String? = nil,
        appliedSpec: String? = nil, appliedSpecHash: String? = nil, appliedRevision: String? = nil,
        lastHealthySpecHash: String? = nil,
        quarantinedSpecHash: String? = nil, quarantineReason: String? = nil,
        sync: DeploymentSync = .unknown, health: DeploymentHealth = .unknown, message: String = "",
        readyReplicas: Int = 0, desiredReplicas: Int, endpoint: String? = nil,
        suspended: Bool = false,
        createdAt: Date = Date(timeIntervalSince1970: 0), updatedAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.name = name
        self.desiredSpec = desiredSpec
        self.desiredSpecHash = desiredSpecHash
        self.desiredRevision = desiredRevision
        self.attemptedSpecHash = attemptedSpecHash
        self.attemptedRevision = attemptedRevision
        self.appliedSpec = appliedSpec
        self.appliedSpecHash = appliedSpecHash
        self.appliedRevision = appliedRevision
        self.lastHealthySpecHash = lastHealthySpecHash
        self.quarantinedSpecHash = quarantinedSpecHash
        self.quarantineReason = quarantineReason
        self.sync = sync
        self.health = health
        self.message = message
        self.readyReplicas = readyReplicas
        self.desiredReplicas = desiredReplicas
        self.endpoint = endpoint
        self.suspended = suspended
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension DeploymentRecord: FetchableRecord, PersistableRecord, UnixTimeDates {
    /// The table's name.
    public static let databaseTableName = "deployment"
}
