import Foundation
import MooringTesting
import Testing

/// Canary steps at the stable endpoint with the real binary, HAProxy and model servers,
/// under a constant, bounded load: a good version takes its step's share of requests
/// (within ±10 points of 20 %) and then all of them with no failed request; a version
/// that answers 500 to 30 % of requests is aborted at its first step with its error
/// ratio in the message, and from the abort on no request fails (the failures are the
/// canary's share during its step).
@Suite(.timeLimit(.minutes(5)))
struct CanaryTests {
    /// One step at 20 % for 5 s, then 100 %; at least 20 requests per step, 5 % errors at most.
    static func manifest(modelVersion: Int, port: Int, errorRatio: Double? = nil) -> String {
        let command = errorRatio.map {
            """

              command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py", "--model", "{{model.path}}",
                        "--port", "{{port}}", "--name", "{{name}}", "--error-ratio", "\($0)"]
            """
        } ?? ""
        return """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              model: {uri: models/iris-v\(modelVersion).json, version: "\(modelVersion)"}
              runtime: python-kserve\(command)
              endpoint: {port: \(port)}
              rollout:
                minHealthySeconds: 1
                progressDeadlineSeconds: 30
                canary: {steps: [{weight: 20, pauseSeconds: 5}]}
                analysis: {maxErrorRatio: 0.05, minRequests: 20}
            """
    }

    @Test func goodVersionTakesItsShareThenAllAndABadOneIsAborted() async throws {
        try await ControllerHarness.with(name: "canary") { h in
        defer { StableEndpointTests.stopHAProxy(h) }
        let port = Int(try freeLoopbackPort())
        let stable = "http://127.0.0.1:\(port)"
        try h.repo.write("manifests/iris.yaml", Self.manifest(modelVersion: 1, port: port))
        let first = try h.repo.commitAll("deploy iris v1 behind port \(port)")
        try h.startController(interval: "500ms")
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(await waitUntil(timeout: .seconds(30)) { await StableEndpointTests.version(stable) == "1" }, "\(h.controllerLog)")

        let load = RecordingLoad(url: "\(stable)/v2/models/iris")
        let traffic = Task { await load.run() }
        defer { load.stop() }

        // (a) v2 is good: 20 % during the step, then everything; nothing fails.
        try h.repo.write("manifests/iris.yaml", Self.manifest(modelVersion: 2, port: port))
        let second = try await h.commit("iris v2 with a 20 % canary")
        var stepStart: Date?
        var stepEnd: Date?
        var sawStatus = false
        _ = try await h.waitForStatus(timeout: .seconds(90)) { _ in
            let row = try await h.deployment("iris")
            let inStep = row?["canaryWeight"] as? Int == 20 && row?["canaryStep"] as? Int == 1
            if inStep {
                stepStart = stepStart ?? Date()
                sawStatus = sawStatus || (row?["message"] as? String ?? "").contains("canary 20% (step 1/1)")
            } else if stepStart != nil, stepEnd == nil {
                stepEnd = Date()
            }
            return stepEnd != nil
        }
        let start = try #require(stepStart, "status never showed canary step 1 at 20 %: \(h.controllerLog.suffix(4000))")
        let end = try #require(stepEnd)
        #expect(sawStatus, "status message did not name the canary step")
        // The weights change within one data-plane pass (200 ms) of the transition; the
        // status poll is slower than that, so the window is trimmed by half a second.
        let during = load.records(from: start.addingTimeInterval(0.5), to: end.addingTimeInterval(-0.5))
        let share = Double(during.filter { $0.version == "2" }.count) / Double(max(1, during.count))
        #expect(during.count >= 50, "too few requests during the step to measure a split: \(during.count)")
        #expect(abs(share - 0.20) <= 0.10, "v2 answered \(Int(share * 100))% of \(during.count) requests during the 20% step")
        #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
        #expect(await waitUntil(timeout: .seconds(30)) { h.modelProcesses().count == 1 }, "v1 not stopped")
        let settled = Date()
        try await Task.sleep(for: .seconds(1))
        let after = load.records(from: settled, to: Date())
        #expect(!after.isEmpty && after.allSatisfy { $0.version == "2" }, "\(after.map(\.version))")
        #expect(load.failures(from: .distantPast, to: Date()).isEmpty, "failed requests during a good canary: \(load.failures(from: .distantPast, to: Date()).prefix(5))")
        let steps = try await h.mooring(["history", "iris"]).stdout
        #expect(steps.contains("canary steps:") && steps.contains("20%") && steps.contains("passed"), "\(steps)")

        // (b) a version answering 500 to 30 % of requests (it reports model version 1):
        //     aborted at its first step with its error ratio; v2 keeps serving.
        try h.repo.write("manifests/iris.yaml", Self.manifest(modelVersion: 1, port: port, errorRatio: 0.3))
        let bad = try await h.commit("iris: a version that fails 30 % of requests")
        var badStepStart: Date?
        var abortedAt: Date?
        var message = ""
        _ = try await h.waitForStatus(timeout: .seconds(90)) { _ in
            let row = try await h.deployment("iris")
            if row?["canaryWeight"] as? Int == 20 { badStepStart = badStepStart ?? Date() }
            message = row?["message"] as? String ?? ""
            if row?["health"] as? String == "Degraded", message.contains("canary step 1 (20%)") {
                abortedAt = Date()
                return true
            }
            return false
        }
        let aborted = try #require(abortedAt, "not aborted: \(message) \(h.controllerLog.suffix(4000))")
        #expect(message.range(of: #"canary step 1 \(20%\): error ratio 0\.[2-3]\d > maxErrorRatio 0\.05 over \d+ requests"#,
                              options: .regularExpression) != nil, "\(message)")
        #expect(await waitUntil(timeout: .seconds(30)) { h.modelProcesses().count == 1 }, "the aborted version was not stopped")
        let row = try await h.deployment("iris")
        #expect(row?["appliedRevision"] as? String == second, "v2 should still be the applied revision")
        #expect(row?["appliedRevision"] as? String != bad)
        try await Task.sleep(for: .seconds(2))
        load.stop()
        await traffic.value

        // Failures only during the step, at most the canary's share of its requests, all
        // from the injected 500s; none once the abort is visible (plus one data-plane pass).
        let failuresAfter = load.failures(from: aborted.addingTimeInterval(0.3), to: Date())
        #expect(failuresAfter.isEmpty, "requests failed after the abort: \(failuresAfter.prefix(5))")
        let stepFrom = (badStepStart ?? aborted).addingTimeInterval(-1)
        let stepRecords = load.records(from: stepFrom, to: aborted.addingTimeInterval(0.3))
        let stepFailures = stepRecords.filter { $0.version == nil }
        #expect(Double(stepFailures.count) <= 0.30 * Double(max(stepRecords.count, 1)) + 3,
                "\(stepFailures.count) of \(stepRecords.count) requests failed during the step")
        #expect(stepFailures.allSatisfy { $0.detail.contains("injected failure") }, "\(stepFailures.prefix(5).map(\.detail))")
        let tail = load.records(from: aborted.addingTimeInterval(0.3), to: Date())
        #expect(!tail.isEmpty && tail.allSatisfy { $0.version == "2" }, "after the abort: \(Set(tail.map { $0.version ?? "failed" }))")
        #expect(load.failures(from: .distantPast, to: stepFrom).isEmpty, "failures before the bad step")
        let history = try await h.mooring(["history", "iris"]).stdout
        #expect(history.contains("error ratio 0.") && history.contains("maxErrorRatio"), "\(history)")

        // The endpoint's own numbers in /metrics count at least what the load saw: every
        // answered request as a 2xx, every injected failure as a 5xx.
        let answered = load.records(from: .distantPast, to: Date()).filter { $0.version != nil }.count
        let injected = load.failures(from: .distantPast, to: Date()).count
        var seen = ""
        let counted = await waitUntil(timeout: .seconds(30)) {
            guard let text = try? await h.api("GET", "/metrics").text, let metrics = try? PrometheusExposition(text) else { return false }
            let ok = metrics.value("mooring_endpoint_responses_total", ["deployment": "iris", "code": "2xx"]) ?? 0
            let errors = metrics.value("mooring_endpoint_responses_total", ["deployment": "iris", "code": "5xx"]) ?? 0
            seen = "2xx \(ok), 5xx \(errors)"
            return ok >= Double(answered) && errors >= Double(injected)
        }
        #expect(counted, "/metrics says \(seen); the load had \(answered) answers and \(injected) failures")
        }
    }
}

extension CanaryTests {
    /// The controller is SIGKILLed during a 50 % step: HAProxy keeps the split while no
    /// controller runs, and the restarted one resumes at the same step and weight (its pause
    /// counted from when the step began) and promotes; no request fails.
    @Test func aControllerKilledMidStepResumesAtTheSameWeight() async throws {
        try await ControllerHarness.with(name: "canary-kill") { h in
        defer { StableEndpointTests.stopHAProxy(h) }
        let port = Int(try freeLoopbackPort())
        let stable = "http://127.0.0.1:\(port)"
        func manifest(_ version: Int) -> String {
            Self.manifest(modelVersion: version, port: port)
                .replacingOccurrences(of: "{steps: [{weight: 20, pauseSeconds: 5}]}", with: "{steps: [{weight: 50, pauseSeconds: 12}]}")
        }
        try h.repo.write("manifests/iris.yaml", manifest(1))
        let first = try h.repo.commitAll("deploy iris v1")
        var controller = try h.startController(interval: "500ms")
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
        #expect(await waitUntil(timeout: .seconds(30)) { await StableEndpointTests.version(stable) == "1" })
        let load = RecordingLoad(url: "\(stable)/v2/models/iris")
        let traffic = Task { await load.run() }
        defer { load.stop() }

        try h.repo.write("manifests/iris.yaml", manifest(2))
        let second = try await h.commit("iris v2 with a 50 % canary")
        // The step's pause runs once its baseline is read, and that reading waits for HAProxy
        // to carry the 50 % split: from then on the split is HAProxy's, with or without a controller.
        #expect(try await h.waitForStatus(timeout: .seconds(60)) { _ in
            let row = try await h.deployment("iris")
            return row?["canaryWeight"] as? Int == 50 && (row?["message"] as? String ?? "").contains("s of 12s")
        }, "\(h.controllerLog.suffix(4000))")
        let metrics = try PrometheusExposition(try await h.api("GET", "/metrics").text)
        #expect(metrics.value("mooring_canary_weight_percent", ["deployment": "iris"]) == 50)
        _ = await h.killHard(controller)
        let killed = Date()
        try await Task.sleep(for: .seconds(4))
        let whileDown = load.records(from: killed.addingTimeInterval(0.5), to: Date())
        let share = Double(whileDown.filter { $0.version == "2" }.count) / Double(max(1, whileDown.count))
        #expect(whileDown.count >= 30 && abs(share - 0.5) <= 0.15, "with no controller v2 answered \(Int(share * 100))% of \(whileDown.count)")

        controller = try h.startController(interval: "500ms")
        let resumed = try await h.waitForStatus(timeout: .seconds(60)) { _ in
            let row = try await h.deployment("iris")
            return (row?["canaryWeight"] as? Int == 50 && row?["canaryStep"] as? Int == 1) || row?["appliedRevision"] as? String == second
        }
        #expect(resumed, "\(h.controllerLog.suffix(4000))")
        #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog.suffix(4000))")
        let after = try PrometheusExposition(try await h.api("GET", "/metrics").text)
        #expect(after.value("mooring_canary_weight_percent", ["deployment": "iris"]) == nil, "the gauge outlived the canary")
        // The step's 12 s pause counts from when it began, not from the restart.
        let events = try await h.events("iris")
        #expect(events.contains { ($0["message"] as? String ?? "").contains("canary step 1/1 (50%) passed") }, "\(events.suffix(5))")
        let began = events.filter { ($0["message"] as? String ?? "").contains("canary step 1/1: 50% of requests") }
        #expect(began.count == 1, "the step began \(began.count) times (again after the restart?)")
        load.stop()
        await traffic.value
        #expect(load.failures(from: .distantPast, to: Date()).isEmpty, "\(load.failures(from: .distantPast, to: Date()).prefix(5))")
        _ = controller
        }
    }
}

/// A bounded load client: one request every 20 ms (at most 6 000), each one's start time,
/// answered version (nil on failure) and, for a failure, what came back.
final class RecordingLoad: @unchecked Sendable {
    struct Record: Sendable {
        var at: Date
        var version: String?
        var detail: String
    }

    let url: String
    private let lock = NSLock()
    private var stopped = false
    private var all: [Record] = []

    init(url: String) { self.url = url }

    func stop() { lock.withLock { stopped = true } }

    func records(from: Date, to: Date) -> [Record] {
        lock.withLock { all.filter { $0.at >= from && $0.at <= to } }
    }

    func failures(from: Date, to: Date) -> [Record] {
        records(from: from, to: to).filter { $0.version == nil }
    }

    func run() async {
        for _ in 0..<6_000 {
            if lock.withLock({ stopped }) { return }
            let at = Date()
            var record = Record(at: at, version: nil, detail: "")
            do {
                let response = try await httpRequest(url, timeout: .seconds(20))
                if response.status == 200 {
                    record.version = (try response.jsonObject()["versions"] as? [String])?.first
                    if record.version == nil { record.detail = "no version in \(response.text.prefix(120))" }
                } else {
                    record.detail = "HTTP \(response.status) \(response.text.prefix(120))"
                }
            } catch {
                record.detail = "\(error)"
            }
            lock.withLock { all.append(record) }
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
    }
}
