/// Which statistic of a check's measured latencies is held to `maxLatencyMillis`.
public enum LatencyStatistic: String, Hashable, Sendable, Codable, CaseIterable {
    case p50
    case p95

    /// The nearest-rank percentile of `samples` (the smallest sample with at least p% of
    /// samples at or below it): with 5 samples p50 is the 3rd fastest and p95 the slowest.
    /// `nil` for no samples.
    public func of(_ samples: [Double]) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let percent: Double = self == .p50 ? 50 : 95
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(rank, 1) - 1]
    }
}
