import Foundation
import GRDB

/// How many history rows ``StateStore/pruneHistory(before:)`` removed.
public struct PrunedHistory: Sendable, Equatable {
    /// Events removed.
    public var events: Int
    /// Finished rollouts removed.
    public var rollouts: Int
    /// Completed intents removed.
    public var intents: Int

    /// Creates a count of removed rows.
    public init(events: Int, rollouts: Int, intents: Int) {
        self.events = events
        self.rollouts = rollouts
        self.intents = intents
    }
}

extension StoreTransaction {
    /// Deletes history older than `cutoff`: events that happened before it, rollouts that
    /// finished before it (unless `includingRollouts` is false: the controller keeps
    /// rollouts by count, see ``pruneRollouts(keepingPerDeployment:)``), intents completed
    /// before it. Open intents and rollouts in progress are never removed.
    @discardableResult
    public func pruneHistory(before cutoff: Date, includingRollouts: Bool = true) throws -> PrunedHistory {
        let seconds = cutoff.timeIntervalSince1970
        let events = try EventRecord.filter(Column("time") < seconds).deleteAll(database)
        let rollouts = includingRollouts ? try RolloutRecord
            .filter(Column("finishedAt") != nil && Column("finishedAt") < seconds)
            .deleteAll(database) : 0
        let intents = try IntentRecord
            .filter(Column("completedAt") != nil && Column("completedAt") < seconds)
            .deleteAll(database)
        return PrunedHistory(events: events, rollouts: rollouts, intents: intents)
    }
}

extension StoreTransaction {
    /// Keeps the newest `count` finished rollouts of each deployment and deletes the
    /// rest; a rollout in progress is never removed. Returns how many were deleted.
    @discardableResult
    public func pruneRollouts(keepingPerDeployment count: Int) throws -> Int {
        try database.execute(sql: """
            DELETE FROM rollout WHERE outcome <> 'InProgress' AND id IN (
                SELECT id FROM (
                    SELECT id, ROW_NUMBER() OVER (PARTITION BY deployment ORDER BY id DESC) AS newest
                    FROM rollout WHERE outcome <> 'InProgress'
                ) WHERE newest > ?)
            """, arguments: [count])
        return database.changesCount
    }
}

extension StateStore {
    /// Deletes history older than `cutoff` (see ``StoreTransaction/pruneHistory(before:)``).
    @discardableResult
    public func pruneHistory(before cutoff: Date) throws -> PrunedHistory {
        try write(doing: "pruning history") { try $0.pruneHistory(before: cutoff) }
    }
}
