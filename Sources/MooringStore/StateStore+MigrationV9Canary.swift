import Foundation
import GRDB

extension StateStore {
    /// Migration "v9-canary": canary steps. The deployment row carries the step under way
    /// and the new generation's weight (`canaryStep`, 1-based, and `canaryWeight`, percent;
    /// NULL when no canary runs) for readers that do not decode the `rollout` JSON (which
    /// holds the step's start and baseline counters, what a restarted controller resumes
    /// from); `rolloutCanaryStep` holds one row per judged step: its weight, the requests
    /// the new generation answered, the failures among them, the response time and the
    /// verdict. Rows go with their rollout.
    static let v9CanarySchema = """
        ALTER TABLE deployment ADD COLUMN canaryStep INTEGER
            CONSTRAINT deployment_canary_step CHECK (canaryStep IS NULL OR canaryStep >= 1);
        ALTER TABLE deployment ADD COLUMN canaryWeight INTEGER
            CONSTRAINT deployment_canary_weight CHECK (canaryWeight IS NULL OR (canaryWeight >= 0 AND canaryWeight <= 100));
        CREATE TABLE rolloutCanaryStep (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rolloutId INTEGER NOT NULL REFERENCES rollout(id) ON DELETE CASCADE,
            step INTEGER NOT NULL,
            weight INTEGER NOT NULL,
            requests INTEGER NOT NULL,
            responses5xx INTEGER NOT NULL,
            connectionErrors INTEGER NOT NULL,
            errorRatio REAL NOT NULL,
            responseTimeMillis INTEGER,
            seconds INTEGER NOT NULL,
            passed INTEGER NOT NULL,
            verdict TEXT NOT NULL,
            CONSTRAINT rollout_canary_step_number CHECK (step >= 1),
            CONSTRAINT rollout_canary_step_weight CHECK (weight >= 1 AND weight <= 99),
            CONSTRAINT rollout_canary_step_counts CHECK (requests >= 0 AND responses5xx >= 0 AND connectionErrors >= 0 AND seconds >= 0),
            CONSTRAINT rollout_canary_step_ratio CHECK (errorRatio >= 0 AND errorRatio <= 1),
            CONSTRAINT rollout_canary_step_time CHECK (responseTimeMillis IS NULL OR responseTimeMillis >= 0),
            CONSTRAINT rollout_canary_step_passed_bool CHECK (passed IN (0, 1)),
            CONSTRAINT rollout_canary_step_verdict CHECK (length(verdict) > 0)
        );
        CREATE INDEX rollout_canary_step_by_rollout ON rolloutCanaryStep(rolloutId);
        """
}

/// One judged canary step of a rollout (a row of `rolloutCanaryStep`).
public struct RolloutCanaryStepRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "rolloutCanaryStep"

    public var id: Int64?
    public var rolloutId: Int64
    /// 1-based.
    public var step: Int
    /// The new generation's share of requests, percent.
    public var weight: Int
    /// Requests the new generation's servers answered or failed during the step.
    public var requests: Int
    public var responses5xx: Int
    public var connectionErrors: Int
    /// Failed requests (5xx and connection errors) over requests.
    public var errorRatio: Double
    /// HAProxy's average response time of the new servers at the step's end.
    public var responseTimeMillis: Int?
    /// Seconds the numbers cover.
    public var seconds: Int
    public var passed: Bool
    /// `passed`, or what broke a threshold.
    public var verdict: String

    public init(id: Int64? = nil, rolloutId: Int64, step: Int, weight: Int, requests: Int, responses5xx: Int,
                connectionErrors: Int, errorRatio: Double, responseTimeMillis: Int?, seconds: Int, passed: Bool, verdict: String) {
        self.id = id
        self.rolloutId = rolloutId
        self.step = step
        self.weight = weight
        self.requests = requests
        self.responses5xx = responses5xx
        self.connectionErrors = connectionErrors
        self.errorRatio = errorRatio
        self.responseTimeMillis = responseTimeMillis
        self.seconds = seconds
        self.passed = passed
        self.verdict = verdict
    }
}

extension StoreTransaction {
    /// Records a judged canary step.
    public func recordCanaryStep(_ step: RolloutCanaryStepRecord) throws {
        var step = step
        try step.insert(database)
    }

    /// The canary steps rollout `id` judged, in order.
    public func canarySteps(of id: Int64) throws -> [RolloutCanaryStepRecord] {
        try RolloutCanaryStepRecord.filter(Column("rolloutId") == id).order(Column("id")).fetchAll(database)
    }
}

extension StateStore {
    /// The canary steps rollout `id` judged (see ``StoreTransaction/canarySteps(of:)``).
    public func canarySteps(of id: Int64) throws -> [RolloutCanaryStepRecord] {
        try read(doing: "reading the canary steps of rollout \(id)") { try $0.canarySteps(of: id) }
    }
}

/// A rollout as `mooring history -o json` and the API show it: the rollout's fields, plus
/// `canarySteps` (its judged canary steps, in order) when it had any.
public struct RolloutHistoryEntry: Encodable, Sendable {
    public var rollout: RolloutRecord
    public var canarySteps: [RolloutCanaryStepRecord]

    public init(rollout: RolloutRecord, canarySteps: [RolloutCanaryStepRecord]) {
        self.rollout = rollout
        self.canarySteps = canarySteps
    }

    private enum Key: String, CodingKey { case canarySteps }

    public func encode(to encoder: any Encoder) throws {
        try rollout.encode(to: encoder)
        guard !canarySteps.isEmpty else { return }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(canarySteps, forKey: .canarySteps)
    }
}

extension StoreTransaction {
    /// `rollouts` with their canary steps.
    public func historyEntries(_ rollouts: [RolloutRecord]) throws -> [RolloutHistoryEntry] {
        try rollouts.map { rollout in
            RolloutHistoryEntry(rollout: rollout, canarySteps: try rollout.id.map { try canarySteps(of: $0) } ?? [])
        }
    }
}
