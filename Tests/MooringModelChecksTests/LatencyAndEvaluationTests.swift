import Foundation
import MooringModelChecks
import Testing

@Suite("Latency statistic and check evaluation")
struct LatencyAndEvaluationTests {
    @Test("nearest-rank percentiles", arguments: [
        (LatencyStatistic.p50, [Double](), nil as Double?),
        (.p50, [7], 7),
        (.p95, [7], 7),
        (.p50, [5, 1, 3, 2, 4], 3),
        (.p95, [5, 1, 3, 2, 4], 5),
        (.p50, [10, 20, 30, 40], 20),
        (.p95, Array(stride(from: 1.0, through: 20, by: 1)), 19),
        (.p95, Array(stride(from: 1.0, through: 100, by: 1)), 95),
        (.p50, Array(stride(from: 1.0, through: 100, by: 1)), 50),
    ])
    func percentile(statistic: LatencyStatistic, samples: [Double], expected: Double?) {
        #expect(statistic.of(samples) == expected)
    }

    static func ok(_ body: String, ms: Double = 10) -> CheckExchange {
        .answered(status: 200, body: Array(body.utf8), latencyMillis: ms)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var check: ModelCheck
        var exchanges: [CheckExchange]
        var passed: Bool
        var detail: String?
        var testDescription: String { label }
    }

    static let setosa = ModelCheck(name: "iris-setosa", method: "POST", path: "/v2/models/{{name}}/infer",
                                   body: "{}", assertions: [Assertion(path: try! JSONPath("$.outputs[0].data[0]"), kind: .equals(.number(0)))])
    static func budget(_ ms: Int, _ statistic: LatencyStatistic, repeatCount: Int) -> ModelCheck {
        var check = setosa
        check.maxLatencyMillis = ms
        check.latencyStatistic = statistic
        check.repeatCount = repeatCount
        return check
    }
    static func batch(min: Double) -> ModelCheck {
        ModelCheck(name: "iris-batch", method: "POST", path: "/infer",
                   batch: .init(file: "tests/batch.json", path: try! JSONPath("$.c"), minAccuracy: min, cases: [
                       .init(body: "1", expected: .number(0)), .init(body: "2", expected: .number(1)),
                       .init(body: "3", expected: .number(2)), .init(body: "4", expected: .number(2)),
                   ]))
    }

    static let rows: [Row] = [
        Row(label: "right class", check: setosa, exchanges: [ok(#"{"outputs":[{"data":[0]}]}"#)], passed: true, detail: nil),
        Row(label: "wrong class", check: setosa, exchanges: [ok(#"{"outputs":[{"data":[2]}]}"#)], passed: false,
            detail: "$.outputs[0].data[0] expected 0, got 2"),
        Row(label: "wrong status", check: setosa, exchanges: [.answered(status: 503, body: Array("loading".utf8), latencyMillis: 1)], passed: false,
            detail: "status expected 200, got 503: loading"),
        Row(label: "not JSON", check: setosa, exchanges: [ok("<html>")], passed: false,
            detail: nil),
        Row(label: "no answer", check: setosa, exchanges: [.failed(reason: "connection refused", latencyMillis: 1)], passed: false,
            detail: "request failed: connection refused"),
        Row(label: "second call wrong", check: budget(1000, .p95, repeatCount: 2),
            exchanges: [ok(#"{"outputs":[{"data":[0]}]}"#), ok(#"{"outputs":[{"data":[1]}]}"#)], passed: false,
            detail: "$.outputs[0].data[0] expected 0, got 1 (call 2 of 2)"),
        Row(label: "p95 over budget", check: budget(500, .p95, repeatCount: 3),
            exchanges: [ok(#"{"outputs":[{"data":[0]}]}"#, ms: 3010), ok(#"{"outputs":[{"data":[0]}]}"#, ms: 3004), ok(#"{"outputs":[{"data":[0]}]}"#, ms: 20)],
            passed: false, detail: "p95 latency expected at most 500 ms, got 3010 ms over 3 calls"),
        Row(label: "p50 within budget despite one slow call", check: budget(500, .p50, repeatCount: 3),
            exchanges: [ok(#"{"outputs":[{"data":[0]}]}"#, ms: 3010), ok(#"{"outputs":[{"data":[0]}]}"#, ms: 30), ok(#"{"outputs":[{"data":[0]}]}"#, ms: 20)],
            passed: true, detail: nil),
        Row(label: "batch at the accuracy", check: batch(min: 0.75),
            exchanges: [ok(#"{"c":0}"#), ok(#"{"c":1}"#), ok(#"{"c":2}"#), ok(#"{"c":1}"#)], passed: true,
            detail: "accuracy 0.75 (3/4 of tests/batch.json)"),
        Row(label: "batch below the accuracy", check: batch(min: 0.9),
            exchanges: [ok(#"{"c":0}"#), ok(#"{"c":1}"#), ok(#"{"c":2}"#), ok(#"{"c":1}"#)], passed: false,
            detail: "$.c accuracy expected at least 0.9, got 0.75 (3/4 of tests/batch.json)"),
        Row(label: "batch: a missing label counts as wrong", check: batch(min: 1),
            exchanges: [ok(#"{"c":0}"#), ok(#"{"c":1}"#), ok(#"{"c":2}"#), ok(#"{}"#)], passed: false,
            detail: "$.c accuracy expected at least 1, got 0.75 (3/4 of tests/batch.json)"),
    ]

    @Test("judges status, assertions, accuracy and latency", arguments: rows)
    func evaluate(_ row: Row) {
        let result = row.check.evaluate(row.exchanges)
        #expect(result.passed == row.passed)
        #expect(result.calls == row.exchanges.count)
        if let detail = row.detail { #expect(result.detail == detail) }
        if !row.passed { #expect(result.failureMessage.hasPrefix("test \(row.check.name): ")) }
    }

    @Test("a check sends its body repeat times, a batch once per case")
    func requestBodies() {
        #expect(Self.budget(500, .p95, repeatCount: 3).requestBodies == ["{}", "{}", "{}"])
        #expect(Self.batch(min: 1).requestBodies == ["1", "2", "3", "4"])
    }
}
