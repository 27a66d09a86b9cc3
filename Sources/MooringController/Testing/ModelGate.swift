import Foundation
import Metrics
import MooringCheckRunner
import MooringManifests
import MooringModelChecks

/// The Testing gate's work: a deployment's `spec.tests` against each new replica, with
/// the same ``CheckRunner`` as `mooring test`. Runs off the controller's loop; the outcome
/// goes back to the machine as `.tested`.
enum ModelGate {
    /// Runs every check against every port (replica `i` at `ports[i]`) and returns the
    /// results and, when one failed, the rollout's failure message naming the check and
    /// what was expected vs received (`test iris-setosa: $.outputs[0].data[0] expected 0, got 2`).
    static func run(_ target: Target, ports: [(replica: Int, port: Int)], hostVariables: [String: String]) async -> (results: [CheckResult], failure: String?) {
        var all: [CheckResult] = []
        var failure: String?
        for (replica, port) in ports {
            let values: [TemplateVariable: String] = [
                .name: target.spec.name, .replica: String(replica), .revision: target.revision,
                .modelVersion: target.spec.model?.version ?? "",
            ]
            let results = await CheckRunner.run(target.spec.tests ?? [], port: port, values: values, hostVariables: hostVariables)
            all += results
            if failure == nil, let failed = results.first(where: { !$0.passed }) {
                failure = failed.failureMessage + (ports.count > 1 ? " (replica \(replica))" : "")
            }
        }
        record(all, deployment: target.spec.name)
        return (all, failure)
    }

    /// `mooring_model_tests_total{deployment,check,result}` and
    /// `mooring_model_test_latency_seconds{deployment,check}` (the check's statistic).
    static func record(_ results: [CheckResult], deployment: String) {
        for result in results {
            Counter(label: "mooring_model_tests_total",
                    dimensions: [("deployment", deployment), ("check", result.name), ("result", result.passed ? "passed" : "failed")]).increment()
            if let latency = result.latencyMillis {
                Gauge(label: "mooring_model_test_latency_seconds", dimensions: [("deployment", deployment), ("check", result.name)])
                    .record(latency / 1000)
            }
        }
    }

    /// One line for events and history: `5 checks passed on 1 replica (iris-latency p95 12 ms)`.
    static func summary(_ results: [CheckResult], replicas: Int) -> String {
        let passed = results.filter(\.passed).count
        let slowest = results.compactMap { result in result.latencyMillis.map { (result, $0) } }.max { $0.1 < $1.1 }
        var text = "\(passed) of \(results.count) model test\(results.count == 1 ? "" : "s") passed on \(replicas) replica\(replicas == 1 ? "" : "s")"
        if let (result, latency) = slowest {
            text += " (slowest: \(result.name) \(result.latencyStatistic.rawValue) \(Int(latency.rounded())) ms)"
        }
        return text
    }
}
