import Foundation
import GRDB

extension StoreTransaction {
    /// Starts a rollout of `deployment` to `specHash` at `revision` and returns it.
    ///
    /// A deployment has at most one rollout in progress: one still open is finished first
    /// as `Superseded` (reason names the new revision) in the same transaction.
    @discardableResult
    public func beginRollout(
        deployment: String, revision: String, specHash: String,
        fromSpecHash: String? = nil, fromRevision: String? = nil, strategy: RolloutKind
    ) throws -> RolloutRecord {
        if var open = try inProgressRollout(of: deployment) {
            open.outcome = .superseded
            open.finishedAt = now
            open.reason = "superseded by a rollout of revision \(revision) (spec \(specHash))"
            try open.update(database)
        }
        var record = RolloutRecord(
            deployment: deployment, revision: revision, specHash: specHash,
            fromSpecHash: fromSpecHash, fromRevision: fromRevision, strategy: strategy,
            startedAt: now)
        try record.insert(database)
        return record
    }

    /// Finishes rollout `id` with `outcome` (not `InProgress`) and `reason` (required
    /// unless it succeeded) and returns it. Throws `notFound` for an unknown id and
    /// `conflict` if it already finished.
    @discardableResult
    public func finishRollout(id: Int64, outcome: RolloutOutcome, reason: String? = nil) throws -> RolloutRecord {
        guard outcome != .inProgress else {
            throw StoreError(.invalidArgument, "cannot finish rollout \(id) with outcome InProgress")
        }
        guard var record = try RolloutRecord.fetchOne(database, key: id) else {
            throw StoreError(.notFound, "no rollout \(id) in the state store")
        }
        guard record.outcome == .inProgress else {
            throw StoreError(
                .conflict,
                "rollout \(id) of \(record.deployment) already finished as \(record.outcome.rawValue)")
        }
        record.outcome = outcome
        record.finishedAt = now
        record.reason = reason
        try record.update(database)
        return record
    }

    /// The rollout of `deployment` still in progress, if any.
    /// Records the phase a rollout reached (history: `mooring history` shows the last one).
    public func setRolloutPhase(id: Int64, _ phase: RolloutPhase) throws {
        try database.cachedStatement(sql: "UPDATE rollout SET phase = ? WHERE id = ?").execute(arguments: [phase, id])
    }

    public func inProgressRollout(of deployment: String) throws -> RolloutRecord? {
        // A cached statement: the controller looks the open rollout up at every phase. The
        // outcome is a literal, not a parameter: it matches the partial index
        // `rollout_one_in_progress`, and a parameter the planner compared with a partial
        // index's condition makes SQLite prepare the statement again at every binding.
        let statement = try database.cachedStatement(
            sql: "SELECT * FROM rollout WHERE deployment = ? AND outcome = '\(RolloutOutcome.inProgress.rawValue)'")
        return try RolloutRecord.fetchOne(statement, arguments: [deployment])
    }

    /// Rollouts, newest first, at most `limit`: of `deployment`, or of all deployments
    /// when it is `nil` (including deleted ones).
    public func rollouts(of deployment: String? = nil, limit: Int = 50) throws -> [RolloutRecord] {
        var request = RolloutRecord.all()
        if let deployment { request = request.filter(Column("deployment") == deployment) }
        return try request.order(Column("id").desc).limit(limit).fetchAll(database)
    }
}

extension StateStore {
    /// Starts a rollout, superseding one in progress (see
    /// ``StoreTransaction/beginRollout(deployment:revision:specHash:fromSpecHash:fromRevision:strategy:)``).
    @discardableResult
    public func beginRollout(
        deployment: String, revision: String, specHash: String,
        fromSpecHash: String? = nil, fromRevision: String? = nil, strategy: RolloutKind
    ) throws -> RolloutRecord {
        try write(doing: "starting a rollout of \(deployment)") {
            try $0.beginRollout(
                deployment: deployment, revision: revision, specHash: specHash,
                fromSpecHash: fromSpecHash, fromRevision: fromRevision, strategy: strategy)
        }
    }

    /// Finishes a rollout (see ``StoreTransaction/finishRollout(id:outcome:reason:)``).
    @discardableResult
    public func finishRollout(id: Int64, outcome: RolloutOutcome, reason: String? = nil) throws -> RolloutRecord {
        try write(doing: "finishing rollout \(id)") { try $0.finishRollout(id: id, outcome: outcome, reason: reason) }
    }

    /// The rollout of `deployment` still in progress, if any.
    public func inProgressRollout(of deployment: String) throws -> RolloutRecord? {
        try read(doing: "reading the rollout of \(deployment)") { try $0.inProgressRollout(of: deployment) }
    }

    /// Rollouts newest first, of one deployment or (with `nil`) of all.
    public func rollouts(of deployment: String? = nil, limit: Int = 50) throws -> [RolloutRecord] {
        try read(doing: "listing rollouts") { try $0.rollouts(of: deployment, limit: limit) }
    }
}
