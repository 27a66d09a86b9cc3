import Foundation
import GRDB

extension StateStore {
    /// Migration "v7-model-tests": `rolloutTest`, one row per model test (`spec.tests`
    /// check) run by a rollout's Testing gate, per replica: passed or not, the measured
    /// latency statistic and what was expected vs received. Rows go with their rollout.
    static let modelTestsSchema = """
        CREATE TABLE rolloutTest (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rolloutId INTEGER NOT NULL REFERENCES rollout(id) ON DELETE CASCADE,
            "check" TEXT NOT NULL,
            passed INTEGER NOT NULL,
            latencyMillis REAL,
            statistic TEXT NOT NULL,
            calls INTEGER NOT NULL,
            detail TEXT,
            CONSTRAINT rollout_test_check_not_empty CHECK (length("check") > 0),
            CONSTRAINT rollout_test_passed_bool CHECK (passed IN (0, 1)),
            CONSTRAINT rollout_test_statistic CHECK (statistic IN ('p50', 'p95')),
            CONSTRAINT rollout_test_calls CHECK (calls >= 0),
            CONSTRAINT rollout_test_latency CHECK (latencyMillis IS NULL OR latencyMillis >= 0)
        );
        CREATE INDEX rollout_test_by_rollout ON rolloutTest(rolloutId);
        """
}

/// One model test a rollout ran (a row of `rolloutTest`).
public struct RolloutTestRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "rolloutTest"

    public var id: Int64?
    public var rolloutId: Int64
    public var check: String
    public var passed: Bool
    public var latencyMillis: Double?
    /// `p50` or `p95`: which statistic `latencyMillis` is.
    public var statistic: String
    public var calls: Int
    /// On failure, what was expected vs received.
    public var detail: String?

    public init(id: Int64? = nil, rolloutId: Int64, check: String, passed: Bool, latencyMillis: Double?,
                statistic: String, calls: Int, detail: String?) {
        self.id = id
        self.rolloutId = rolloutId
        self.check = check
        self.passed = passed
        self.latencyMillis = latencyMillis
        self.statistic = statistic
        self.calls = calls
        self.detail = detail
    }
}

extension StoreTransaction {
    /// Records the model tests a rollout ran.
    public func recordRolloutTests(_ tests: [RolloutTestRecord]) throws {
        for var test in tests { try test.insert(database) }
    }

    /// The model tests rollout `id` ran, in the order they ran.
    public func rolloutTests(of id: Int64) throws -> [RolloutTestRecord] {
        try RolloutTestRecord.filter(Column("rolloutId") == id).order(Column("id")).fetchAll(database)
    }
}

extension StateStore {
    /// The model tests rollout `id` ran (see ``StoreTransaction/rolloutTests(of:)``).
    public func rolloutTests(of id: Int64) throws -> [RolloutTestRecord] {
        try read(doing: "reading the model tests of rollout \(id)") { try $0.rolloutTests(of: id) }
    }
}
