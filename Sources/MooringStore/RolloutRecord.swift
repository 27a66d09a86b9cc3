import Foundation
import GRDB

/// One attempt to move a deployment to a spec, and how it ended. Rollouts are history:
/// they outlive the deployment they belong to.
public struct RolloutRecord: Sendable, Codable, Equatable {
    /// Row id, assigned on insert; grows with every rollout, so it orders them.
    public var id: Int64?
    /// The deployment's name.
    public var deployment: String
    /// The commit rolled out to.
    public var revision: String
    /// The spec hash rolled out to.
    public var specHash: String
    /// The spec hash serving before, if any.
    public var fromSpecHash: String?
    /// The commit serving before, if any.
    public var fromRevision: String?
    /// How it replaces replicas.
    public var strategy: RolloutKind
    /// The phase it is in (its last phase once finished).
    public var phase: RolloutPhase
    /// When it started.
    public var startedAt: Date
    /// When it ended (`nil` while in progress).
    public var finishedAt: Date?
    /// How it ended, or `InProgress`.
    public var outcome: RolloutOutcome
    /// Why it ended that way; required for every outcome but `InProgress`/`Succeeded`.
    public var reason: String?
    /// The audit trail (schema v3), copied from the commit's ``CommitAuditRecord`` when the
    /// rollout begins; nil for rollouts recorded before v3 or of a commit not audited.
    /// The commit's author, `Name <email>`.
    public var author: String?
    /// The commit's committer, `Name <email>`.
    public var committer: String?
    /// The commit's subject line.
    public var subject: String?
    /// The pull request the commit merged, when its subject or message names one.
    public var pullRequest: Int?
    /// `FINGERPRINT PRINCIPAL` of the verified signature, when commits are verified.
    public var signer: String?
    /// The spec fields this rollout changed (`command`, `model.uri`, …); empty for a first
    /// rollout or when only the commit changed.
    public var specDiff: [String] = []

    /// Creates a rollout record (`id` is assigned on insert).
    public init(
        id: Int64? = nil, deployment: String, revision: String, specHash: String,
        fromSpecHash: String? = nil, fromRevision: String? = nil, strategy: RolloutKind, phase: RolloutPhase = .starting,
        startedAt: Date, finishedAt: Date? = nil, outcome: RolloutOutcome = .inProgress,
        reason: String? = nil, author: String? = nil, committer: String? = nil, subject: String? = nil,
        pullRequest: Int? = nil, signer: String? = nil, specDiff: [String] = []
    ) {
        self.id = id
        self.deployment = deployment
        self.revision = revision
        self.specHash = specHash
        self.fromSpecHash = fromSpecHash
        self.fromRevision = fromRevision
        self.strategy = strategy
        self.phase = phase
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.reason = reason
        self.author = author
        self.committer = committer
        self.subject = subject
        self.pullRequest = pullRequest
        self.signer = signer
        self.specDiff = specDiff
    }
}

extension RolloutRecord: FetchableRecord, MutablePersistableRecord, UnixTimeDates {
    /// The table's name.
    public static let databaseTableName = "rollout"
    /// Takes the row id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
