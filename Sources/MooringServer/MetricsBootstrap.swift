import Metrics
import Prometheus

/// The process's metrics backend: swift-prometheus behind swift-metrics, so the
/// controller's series (`mooring_*`, docs/metrics.md) are exported by `GET /metrics`.
public enum MetricsBootstrap {
    /// Bootstraps `MetricsSystem` once per process with a Prometheus registry and returns it.
    /// Rollouts get buckets from a second to an hour; fetch and reconcile the defaults (5 ms–10 s).
    public static func prometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["mooring_rollout_duration_seconds"] = [
            .seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120),
            .seconds(300), .seconds(600), .seconds(1800), .seconds(3600),
        ]
        factory.durationHistogramBuckets["mooring_git_fetch_duration_seconds"] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
