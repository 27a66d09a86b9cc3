import MooringTraffic
import Synchronization

/// Each stable endpoint's request counters, from HAProxy's `BACKEND` row of the
/// deployment, as the data plane last read them (every pass of the traffic loop, 200 ms),
/// written out when `/metrics` is scraped (docs/metrics.md): responses by status class,
/// failed connections and responses, open sessions and the recent response time. They
/// count what clients of the endpoint saw, through every replica and generation, like
/// KServe's request metrics; HAProxy's counters restart with HAProxy, which Prometheus'
/// `rate()` and `increase()` take as a counter reset.
public enum EndpointMetrics {
    private static let current = Mutex<[String: ServerStats]>([:])

    /// Replaces every endpoint's numbers with `rows` (deployment → its backend's aggregate
    /// row); empty when HAProxy runs no endpoint or could not be read.
    static func publish(_ rows: [String: ServerStats]) {
        current.withLock { $0 = rows }
    }

    /// The families in the order a scrape writes them, with their types.
    static let families = [
        ("mooring_endpoint_responses_total", "counter"), ("mooring_endpoint_errors_total", "counter"),
        ("mooring_endpoint_sessions", "gauge"), ("mooring_endpoint_response_time_seconds", "gauge"),
    ]

    /// Endpoint `name`'s series, read from its backend's aggregate row.
    static func series(_ name: String, _ row: ServerStats) -> [DeploymentGauges.Series] {
        typealias Series = DeploymentGauges.Series
        let deployment = Series.Label(name: "deployment", value: name)
        var result = ServerStats.responseClasses.map { code in
            Series(family: "mooring_endpoint_responses_total", labels: [deployment, .init(name: "code", value: code)],
                   value: Double(row.responsesByClass[code] ?? 0))
        }
        for (kind, count) in [("connection", row.connectionErrors), ("response", row.responseErrors)] {
            result.append(Series(family: "mooring_endpoint_errors_total", labels: [deployment, .init(name: "kind", value: kind)],
                                 value: Double(count)))
        }
        result.append(Series(family: "mooring_endpoint_sessions", labels: [deployment], value: Double(row.currentSessions)))
        result.append(Series(family: "mooring_endpoint_response_time_seconds", labels: [deployment],
                             value: Double(row.responseTimeMillis) / 1000))
        return result
    }

    /// The numbers as Prometheus text exposition (0.0.4): per family a `# TYPE` line, then
    /// one series per endpoint (and class), ordered by deployment name; nothing without
    /// endpoints.
    public static func exposition() -> String {
        exposition(current.withLock { $0 })
    }

    /// `snapshot` (deployment → backend row) as exposition text.
    static func exposition(_ snapshot: [String: ServerStats]) -> String {
        guard !snapshot.isEmpty else { return "" }
        let names = snapshot.keys.sorted()
        let all = names.flatMap { name in snapshot[name].map { series(name, $0) } ?? [] }
        var text = ""
        for (family, type) in families {
            text += "# TYPE \(family) \(type)\n"
            for series in all where series.family == family { text += DeploymentGauges.line(series) }
        }
        return text
    }
}
