import Foundation
import GRDB

extension StoreTransaction {
    /// Records (or replaces) the audit facts of a commit.
    public func recordCommitAudit(_ record: CommitAuditRecord) throws {
        try record.save(database)
    }

    /// The audit facts of `commit`, if it was recorded.
    public func commitAudit(_ commit: String) throws -> CommitAuditRecord? {
        // A cached statement: every rollout that begins looks its commit up.
        let statement = try database.cachedStatement(sql: "SELECT * FROM commitAudit WHERE \"commit\" = ?")
        return try CommitAuditRecord.fetchOne(statement, arguments: [commit])
    }

    /// Fills the audit columns of `deployment`'s rollout in progress: its commit's facts
    /// (when recorded) and the spec fields it changes. Call it right after
    /// ``beginRollout(deployment:revision:specHash:fromSpecHash:fromRevision:strategy:)``.
    public func stampRolloutAudit(of deployment: String, specDiff: [String]) throws {
        guard var rollout = try inProgressRollout(of: deployment) else { return }
        if let audit = try commitAudit(rollout.revision) {
            rollout.author = audit.author
            rollout.committer = audit.committer
            rollout.subject = audit.subject
            rollout.pullRequest = audit.pullRequest
            rollout.signer = audit.signer
        }
        rollout.specDiff = specDiff
        try rollout.update(database)
    }

    /// Rollouts oldest first, of one deployment or (with `nil`) of all, started at or after
    /// `since` when given; the newest `limit` of them.
    public func rolloutHistory(of deployment: String?, since: Date?, limit: Int) throws -> [RolloutRecord] {
        var request = RolloutRecord.all()
        if let deployment { request = request.filter(Column("deployment") == deployment) }
        if let since { request = request.filter(Column("startedAt") >= since.timeIntervalSince1970) }
        let newest = try request.order(Column("id").desc).limit(limit).fetchAll(database)
        return newest.reversed()
    }
}

extension StateStore {
    /// Rollouts oldest first (see ``StoreTransaction/rolloutHistory(of:since:limit:)``).
    public func rolloutHistory(of deployment: String? = nil, since: Date? = nil, limit: Int = 50) throws -> [RolloutRecord] {
        try read(doing: "listing rollouts") { try $0.rolloutHistory(of: deployment, since: since, limit: limit) }
    }
}
