import Foundation
import MooringTesting
import Testing

/// The Testing gate with the real controller, supervisor and example server: a version
/// that is healthy but predicts the wrong class, or answers in 3 s against a 500 ms budget,
/// is rolled back with the check named while the old version keeps serving; a good
/// version passes and is promoted.
@Suite(.timeLimit(.minutes(5)))
struct ModelTestGateTests {
    /// A golden row of class setosa, as an item of `spec.tests`.
    static let setosaCheck = """
            - name: iris-setosa
              path: /v2/models/{{name}}/infer
              body: {inputs: [{name: input-0, datatype: FP32, shape: [1, 4], data: [[5.1, 3.5, 1.4, 0.2]]}]}
              expect:
                json:
                  - {path: "$.outputs[0].data[0]", equals: setosa}
        """

    /// The iris deployment with golden requests; `flags` go to the example server.
    static func deployment(version: Int, flags: [String] = []) -> String {
        let extra = flags.map { ", \"\($0)\"" }.joined()
        return ControllerHarness.deployment("iris", version: version, extra: """
              command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py", "--model", "{{model.path}}",
                        "--port", "{{port}}", "--name", "{{name}}"\(extra)]
              tests:
            \(Self.setosaCheck)
                - name: iris-latency
                  path: /v2/models/{{name}}/infer
                  body: {inputs: [{name: input-0, datatype: FP32, shape: [1, 4], data: [[6.9, 3.1, 5.4, 2.1]]}]}
                  maxLatencyMillis: 500
            """)
    }

    @Test func wrongAndSlowVersionsAreRolledBackAndAGoodOneIsPromoted() async throws {
        try await ControllerHarness.with(name: "model-gate") { h in
            try h.repo.write("manifests/iris.yaml", Self.deployment(version: 1))
            let first = try h.repo.commitAll("iris v1 with golden requests")
            try h.startController()
            // The first version passes through Testing too.
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let v1 = h.modelProcesses()
            #expect(v1.count == 1)

            // Healthy, but the wrong class for a golden row.
            try h.repo.write("manifests/iris.yaml", Self.deployment(version: 2, flags: ["--wrong"]))
            let wrong = try await h.commit("iris v2, predicting the wrong class")
            let wrongMessage = try await degraded(h, attempted: wrong)
            #expect(wrongMessage.contains(#"test iris-setosa: $.outputs[0].data[0] expected "setosa", got "versicolor""#), "\(wrongMessage)")
            #expect(await waitUntil { h.modelProcesses() == v1 }, "the wrong version's replica is stopped, v1's untouched")
            #expect(try await h.servedVersion("iris") == "1")

            // Right, but 3 s per answer against a 500 ms budget.
            try h.repo.write("manifests/iris.yaml", Self.deployment(version: 2, flags: ["--latency-ms", "3000"]))
            let slow = try await h.commit("iris v2, slow")
            let slowMessage = try await degraded(h, attempted: slow)
            let measured = slowMessage.range(of: #"test iris-latency: p95 latency expected at most 500 ms, got (3\d{3}) ms"#, options: .regularExpression)
            #expect(measured != nil, "\(slowMessage)")
            #expect(await waitUntil { h.modelProcesses() == v1 })
            #expect(try await h.servedVersion("iris") == "1")

            // A good version passes the gate and takes over.
            try h.repo.write("manifests/iris.yaml", Self.deployment(version: 2))
            let good = try await h.commit("iris v2")
            #expect(try await h.waitUntilServing("iris", at: good), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
            let passed = try await h.events("iris", reason: "RolloutPhase").compactMap { $0["message"] as? String }
            #expect(passed.contains { $0.contains("2 of 2 model tests passed on 1 replica") }, "\(passed)")
            // Exported on /metrics: every check run, by result, and its latency.
            let scrape = try await h.api("GET", "/metrics")
            let metrics = try PrometheusExposition(scrape.text)
            let failed = metrics.value("mooring_model_tests_total", ["deployment": "iris", "check": "iris-setosa", "result": "failed"])
            let passedRuns = metrics.value("mooring_model_tests_total", ["deployment": "iris", "check": "iris-setosa", "result": "passed"])
            #expect(failed == 1, "\(scrape.text)")
            #expect(passedRuns == 3, "v1, the slow v2 and the good v2 answered setosa right")
            #expect(metrics.value("mooring_model_test_latency_seconds", ["deployment": "iris", "check": "iris-latency"]).map { $0 < 0.5 } == true)
            let history = try await h.history("iris")
            let reasons = history.compactMap { $0["reason"] as? String }
            #expect(reasons.contains { $0.contains("test iris-setosa:") }, "\(history)")
        }
    }

    /// Waits until iris is Degraded after attempting `revision`; returns the status message.
    private func degraded(_ h: ControllerHarness, attempted revision: String) async throws -> String {
        var answers: [String?] = []
        let reached = try await waitUntil(timeout: .seconds(90), interval: .milliseconds(250)) {
            answers.append(try await h.servedVersion("iris"))
            guard let row = try await h.deployment("iris") else { return false }
            return row["attemptedRevision"] as? String == revision && row["health"] as? String == "Degraded"
        }
        #expect(reached, "\(h.controllerLog)")
        #expect(answers.allSatisfy { $0 == "1" }, "answers during the rollout: \(answers)")
        return try await h.deployment("iris")?["message"] as? String ?? ""
    }
}
