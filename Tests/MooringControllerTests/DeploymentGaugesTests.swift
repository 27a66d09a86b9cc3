import Testing
@testable import MooringController

/// The per-deployment gauges as a scrape of `/metrics` shows them: rendered from what each
/// deployment last reported, old label sets gone, label values escaped.
@Suite struct DeploymentGaugesTests {
    typealias Series = DeploymentGauges.Series
    typealias Label = DeploymentGauges.Series.Label

    /// The exposition's lines that name `deployment` (other tests share the process).
    private func lines(of deployment: String) -> [String] {
        DeploymentGauges.exposition().split(separator: "\n").map(String.init)
            .filter { $0.contains("deployment=\"\(deployment)\"") }
    }

    private func info(_ deployment: String, health: String) -> Series {
        Series(family: "mooring_deployment_info",
               labels: [Label(name: "deployment", value: deployment), Label(name: "health", value: health)], value: 1)
    }

    @Test func aHealthChangeReplacesTheSeriesInsteadOfAddingOne() {
        let name = "gauges-health-change"
        DeploymentGauges.set(name, [info(name, health: "Progressing")])
        #expect(lines(of: name) == ["mooring_deployment_info{deployment=\"\(name)\",health=\"Progressing\"} 1"])
        DeploymentGauges.set(name, [info(name, health: "Healthy")])
        #expect(lines(of: name) == ["mooring_deployment_info{deployment=\"\(name)\",health=\"Healthy\"} 1"])
        DeploymentGauges.set(name, [])
        #expect(lines(of: name).isEmpty)
    }

    @Test func familiesComeInOrderWithOneTypeLineEach() {
        let first = "gauges-order-a", second = "gauges-order-b"
        for name in [second, first] {
            DeploymentGauges.set(name, [
                Series(family: "mooring_canary_weight_percent", labels: [Label(name: "deployment", value: name)], value: 20),
                Series(family: "mooring_deployment_replicas",
                       labels: [Label(name: "deployment", value: name), Label(name: "state", value: "Ready")], value: 2),
                info(name, health: "Healthy"),
            ])
        }
        defer { [first, second].forEach { DeploymentGauges.set($0, []) } }
        let text = DeploymentGauges.exposition()
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }
        #expect(types == ["# TYPE mooring_deployment_info gauge", "# TYPE mooring_deployment_replicas gauge",
                          "# TYPE mooring_canary_weight_percent gauge"])
        // Family by family, deployments by name within each.
        let ours = text.split(separator: "\n").map(String.init)
            .filter { $0.contains("deployment=\"\(first)\"") || $0.contains("deployment=\"\(second)\"") }
        #expect(ours == [
            "mooring_deployment_info{deployment=\"\(first)\",health=\"Healthy\"} 1",
            "mooring_deployment_info{deployment=\"\(second)\",health=\"Healthy\"} 1",
            "mooring_deployment_replicas{deployment=\"\(first)\",state=\"Ready\"} 2",
            "mooring_deployment_replicas{deployment=\"\(second)\",state=\"Ready\"} 2",
            "mooring_canary_weight_percent{deployment=\"\(first)\"} 20",
            "mooring_canary_weight_percent{deployment=\"\(second)\"} 20",
        ])
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("a \"quoted\" word", "a \\\"quoted\\\" word"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
    ])
    func labelValuesAreEscaped(value: String, written: String) {
        #expect(DeploymentGauges.escaped(value) == written)
    }

    @Test func valuesAreWrittenAsPrometheusReadsThem() {
        #expect(DeploymentGauges.formatted(3) == "3")
        #expect(DeploymentGauges.formatted(0.25) == "0.25")
        #expect(DeploymentGauges.formatted(.nan) == "NaN")
        #expect(DeploymentGauges.formatted(.infinity) == "+Inf")
    }
}
