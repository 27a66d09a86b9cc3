import Synchronization

/// The per-deployment gauges — `mooring_deployment_info`, `mooring_deployment_replicas`
/// and `mooring_canary_weight_percent` (docs/metrics.md) — kept as plain values and
/// written out in the Prometheus text format when `/metrics` is scraped.
///
/// They are not registered with swift-metrics: their labels change as a deployment moves
/// (sync, health, revision), and swift-prometheus copies a family's whole label table
/// each time a series is added or removed, so 1,000 deployments becoming healthy cost a
/// quadratic number of copies (a sixth of the controller's CPU while starting them). Here
/// a change replaces one deployment's entry; a scrape renders what is true now.
public enum DeploymentGauges {
    /// One gauge: its family, its labels in order, its value.
    struct Series: Equatable, Sendable {
        var family: String
        var labels: [Label]
        var value: Double

        struct Label: Equatable, Sendable {
            var name: String
            var value: String
        }
    }

    /// The families, in the order a scrape writes them.
    static let families = ["mooring_deployment_info", "mooring_deployment_replicas", "mooring_canary_weight_percent"]

    private static let current = Mutex<[String: [Series]]>([:])

    /// Replaces deployment `name`'s gauges with `series` (empty: the deployment is gone).
    static func set(_ name: String, _ series: [Series]) {
        current.withLock { $0[name] = series.isEmpty ? nil : series }
    }

    /// The gauges as Prometheus text exposition (0.0.4): a `# TYPE` line per family that
    /// has a series, then its series ordered by deployment name.
    public static func exposition() -> String {
        let snapshot = current.withLock { $0 }
        let names = snapshot.keys.sorted()
        var text = ""
        for family in families {
            var lines = ""
            for name in names {
                for series in snapshot[name] ?? [] where series.family == family {
                    lines += line(series)
                }
            }
            if !lines.isEmpty { text += "# TYPE \(family) gauge\n" + lines }
        }
        return text
    }

    /// `family{label="value",…} value\n`, label values escaped as the format requires.
    static func line(_ series: Series) -> String {
        let labels = series.labels.map { "\($0.name)=\"\(escaped($0.value))\"" }.joined(separator: ",")
        return "\(series.family){\(labels)} \(formatted(series.value))\n"
    }

    /// A backslash, a double quote and a line feed escaped (`\\`, `\"`, `\n`).
    static func escaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// Whole numbers without a fraction (`3`), others as Swift writes a Double.
    static func formatted(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return String(value)
    }
}
