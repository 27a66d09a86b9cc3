import GRDB

extension StateStore {
    /// Migration "v4": the rollout phases `Testing` (the model-test gate, after `Gating`)
    /// and `Canary` (traffic steps, between the gate and `Promoting`) become valid words in
    /// `deployment.rolloutPhase` and `rollout.phase`.
    ///
    /// Widening a CHECK's word list changes no stored row, so instead of rebuilding both
    /// tables (and every index and reference to them) the constraint text is edited in place,
    /// the procedure SQLite documents for constraint changes that leave the content valid
    /// ("Making Other Kinds Of Table Schema Changes", ALTER TABLE). The schema version is
    /// bumped so every connection reloads it, and the result is checked before commit.
    static func widenRolloutPhases(_ db: Database) throws {
        let old = "'Gating', 'Promoting', 'Draining'"
        let new = "'Gating', 'Testing', 'Promoting', 'Canary', 'Draining'"
        let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        try db.execute(sql: "PRAGMA writable_schema = ON")
        try db.execute(
            sql: "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name IN ('deployment', 'rollout')",
            arguments: [old, new])
        try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
        try db.execute(sql: "PRAGMA writable_schema = OFF")
        let widened = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('deployment', 'rollout') AND instr(sql, ?) > 0",
            arguments: [new]) ?? 0
        guard widened == 2 else {
            throw DatabaseError(message: "migration v4: the rollout phase constraints of `deployment` and `rollout` were not found as written by v2")
        }
        let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        guard problems == ["ok"] else {
            throw DatabaseError(message: "migration v4: integrity check failed: \(problems.joined(separator: "; "))")
        }
    }
}
