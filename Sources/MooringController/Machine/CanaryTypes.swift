import Foundation

/// One HAProxy server's cumulative counters, as the data plane read them (`show stat`):
/// what a canary step's numbers are differences of.
public struct ServerCounters: Codable, Sendable, Equatable {
    /// Responses of any status (`hrsp_1xx` … `hrsp_other`).
    public var responses: Int
    /// 5xx responses (`hrsp_5xx`).
    public var responses5xx: Int
    /// Failed connections to the server (`econ`).
    public var connectionErrors: Int
    /// Responses that failed mid-way (`eresp`).
    public var responseErrors: Int
    /// HAProxy's average response time over the server's last 1024 requests (`rtime`), ms.
    public var responseTimeMillis: Int

    public init(responses: Int, responses5xx: Int, connectionErrors: Int = 0, responseErrors: Int = 0, responseTimeMillis: Int = 0) {
        self.responses = responses
        self.responses5xx = responses5xx
        self.connectionErrors = connectionErrors
        self.responseErrors = responseErrors
        self.responseTimeMillis = responseTimeMillis
    }
}

/// Where a canary is: its step, when the step's weight was set, and the counters its
/// numbers count from. Persisted with the rollout, so a restarted controller resumes at
/// the same step and weight, the pause counted from `startedAt`.
public struct CanaryProgress: Codable, Sendable, Equatable {
    /// The step under way, 0-based (status shows it 1-based).
    public var step: Int
    /// When the step's split took effect (the pause counts from here): for the first step,
    /// when its baseline was read, which waits until HAProxy carries its weights; for a
    /// later one, the end of the step before it, whose counters are its baseline.
    public var startedAt: Date
    /// The new generation's servers' counters when the step began, by server name; nil
    /// until the data plane read them.
    public var baseline: [String: ServerCounters]?
    /// A reading was asked for and has not come back (cleared when a controller restarts).
    public var measureRequested: Bool?
    /// No reading before this time (after an inconclusive one or a failed read).
    public var nextMeasureAt: Date?
    /// The last inconclusive reading (too few requests), for status and the deadline message.
    public var lastMeasurement: CanaryMeasurement?

    public init(step: Int, startedAt: Date) {
        self.step = step
        self.startedAt = startedAt
    }
}

/// A canary step's numbers: the new generation's counters since the step began.
public struct CanaryMeasurement: Codable, Sendable, Equatable {
    /// Requests answered or failed by the new generation's servers.
    public var requests: Int
    /// 5xx answers among them.
    public var responses5xx: Int
    /// Connection and response errors (failed without an answer from the server).
    public var connectionErrors: Int
    /// Request-weighted average of the servers' `rtime` at the end of the step (nil
    /// without requests).
    public var responseTimeMillis: Int?
    /// Seconds the step's numbers cover.
    public var seconds: Int

    public init(requests: Int, responses5xx: Int, connectionErrors: Int, responseTimeMillis: Int?, seconds: Int) {
        self.requests = requests
        self.responses5xx = responses5xx
        self.connectionErrors = connectionErrors
        self.responseTimeMillis = responseTimeMillis
        self.seconds = seconds
    }

    /// Failed requests: 5xx answers and connection or response errors.
    public var failures: Int { responses5xx + connectionErrors }

    /// `failures / requests` (0 without requests).
    public var errorRatio: Double { requests == 0 ? 0 : Double(failures) / Double(requests) }

    /// The differences between `baseline` and `current`, per server. A server missing
    /// from the baseline (added during the step) counts from zero, and so does one whose
    /// counters went down (HAProxy restarted and began counting again).
    public static func between(_ baseline: [String: ServerCounters], _ current: [String: ServerCounters], seconds: Int) -> CanaryMeasurement {
        var requests = 0, errors5xx = 0, connection = 0
        var weightedTime = 0.0
        for (server, now) in current {
            var before = baseline[server] ?? ServerCounters(responses: 0, responses5xx: 0)
            if now.responses < before.responses || now.responses5xx < before.responses5xx
                || now.connectionErrors < before.connectionErrors || now.responseErrors < before.responseErrors {
                before = ServerCounters(responses: 0, responses5xx: 0)
            }
            let answered = now.responses - before.responses
            let failedConnections = (now.connectionErrors - before.connectionErrors) + (now.responseErrors - before.responseErrors)
            requests += answered + failedConnections
            errors5xx += now.responses5xx - before.responses5xx
            connection += failedConnections
            weightedTime += Double(answered) * Double(now.responseTimeMillis)
        }
        let answered = requests - connection
        let time = answered > 0 ? Int((weightedTime / Double(answered)).rounded()) : nil
        return CanaryMeasurement(requests: requests, responses5xx: errors5xx, connectionErrors: connection,
                                 responseTimeMillis: time, seconds: seconds)
    }
}

/// One judged canary step, for the rollout's history (`rolloutCanaryStep`).
public struct CanaryStepResult: Sendable, Equatable {
    /// 1-based.
    public var step: Int
    public var weight: Int
    public var measurement: CanaryMeasurement
    public var passed: Bool
    /// What failed (or "passed"), in words.
    public var verdict: String

    public init(step: Int, weight: Int, measurement: CanaryMeasurement, passed: Bool, verdict: String) {
        self.step = step
        self.weight = weight
        self.measurement = measurement
        self.passed = passed
        self.verdict = verdict
    }
}
