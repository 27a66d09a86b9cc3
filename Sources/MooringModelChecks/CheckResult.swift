import Foundation

/// What one call of a check brought back: an answer, or why there was none.
public enum CheckExchange: Hashable, Sendable {
    case answered(status: Int, body: [UInt8], latencyMillis: Double)
    /// No answer: connection refused, timeout, body over the limit…
    case failed(reason: String, latencyMillis: Double)

    var latencyMillis: Double {
        switch self {
        case let .answered(_, _, latency), let .failed(_, latency): return latency
        }
    }
}

/// The outcome of one check against one replica: pass or fail, the measured latency and,
/// on failure, what was expected and what came.
public struct CheckResult: Hashable, Sendable, Codable {
    public var name: String
    public var passed: Bool
    /// The statistic the check is held to (p95 unless it says p50), over every call, in
    /// milliseconds; nil when no call was made.
    public var latencyMillis: Double?
    public var latencyStatistic: LatencyStatistic
    /// How many calls were made.
    public var calls: Int
    /// On failure, what was expected and what came (`$.x expected 0, got 2`); on success
    /// a short note (a batch's accuracy) or nil.
    public var detail: String?

    public init(name: String, passed: Bool, latencyMillis: Double?, latencyStatistic: LatencyStatistic = .p95,
                calls: Int, detail: String?) {
        self.name = name
        self.passed = passed
        self.latencyMillis = latencyMillis
        self.latencyStatistic = latencyStatistic
        self.calls = calls
        self.detail = detail
    }

    /// How a failure reads in a rollout's status: `test iris-setosa: $.outputs[0].data[0] expected 0, got 2`.
    public var failureMessage: String {
        "test \(name): \(detail ?? "failed")"
    }
}

extension ModelCheck {
    /// Judges the answers to ``requestBodies`` (same order): the status and assertions of
    /// every answer, a batch's accuracy, then the latency budget. Pure: the runner makes
    /// the calls.
    public func evaluate(_ exchanges: [CheckExchange]) -> CheckResult {
        let latencies = exchanges.map(\.latencyMillis)
        let latency = latencyStatistic.of(latencies)
        func result(_ passed: Bool, _ detail: String?) -> CheckResult {
            CheckResult(name: name, passed: passed, latencyMillis: latency, latencyStatistic: latencyStatistic,
                        calls: exchanges.count, detail: detail)
        }
        guard !exchanges.isEmpty else { return result(false, "no request was made") }
        var correct = 0
        for (index, exchange) in exchanges.enumerated() {
            let call = exchanges.count > 1 ? " (call \(index + 1) of \(exchanges.count))" : ""
            guard case let .answered(status, body, _) = exchange else {
                if case let .failed(reason, _) = exchange { return result(false, "request failed\(call): \(truncated(reason))") }
                continue
            }
            guard status == self.status else {
                let text = String(decoding: body, as: UTF8.self)
                return result(false, "status expected \(self.status), got \(status)\(call)\(text.isEmpty ? "" : ": " + truncated(text))")
            }
            guard !assertions.isEmpty || batch != nil else { continue }
            let json: JSONValue
            do {
                json = try JSONValue.parse(Data(body))
            } catch {
                return result(false, "the answer\(call) is \(error): \(truncated(String(decoding: body, as: UTF8.self)))")
            }
            for assertion in assertions {
                if let failure = assertion.failure(in: json) { return result(false, failure + call) }
            }
            if let batch, index < batch.cases.count,
               case let .success(got) = batch.path.select(in: json), got == batch.cases[index].expected {
                correct += 1
            }
        }
        var note: String?
        if let batch {
            let total = batch.cases.count
            let accuracy = total == 0 ? 0 : Double(correct) / Double(total)
            note = "accuracy \(formatFraction(accuracy)) (\(correct)/\(total) of \(batch.file))"
            if accuracy < batch.minAccuracy {
                return result(false, "\(batch.path) accuracy expected at least \(formatFraction(batch.minAccuracy)), got \(formatFraction(accuracy)) (\(correct)/\(total) of \(batch.file))")
            }
        }
        if let budget = maxLatencyMillis, let latency, latency > Double(budget) {
            return result(false, "\(latencyStatistic.rawValue) latency expected at most \(budget) ms, got \(Int(latency.rounded())) ms over \(exchanges.count) call\(exchanges.count == 1 ? "" : "s")")
        }
        return result(true, note)
    }
}

/// `0.9`, `1`, `0.333`.
func formatFraction(_ value: Double) -> String {
    JSONValue.format((value * 1000).rounded() / 1000)
}
