/// `spec.rollout.canary` and `spec.rollout.analysis`, resolved: the traffic steps a Surge
/// rollout behind a stable endpoint takes before the new generation serves alone, and
/// the thresholds each step's HAProxy numbers must meet (docs/traffic.md, "Canaries").
public struct CanaryRollout: Hashable, Sendable, Codable {
    /// The steps in order; weights strictly increase and stay below 100 (the last step,
    /// 100 %, is the promotion itself).
    public var steps: [CanaryStep]
    /// What every step is judged by.
    public var analysis: CanaryAnalysis

    public init(steps: [CanaryStep], analysis: CanaryAnalysis = CanaryAnalysis()) {
        self.steps = steps
        self.analysis = analysis
    }
}

/// One canary step: the new generation's share of requests, and how long it holds
/// before its numbers are judged.
public struct CanaryStep: Hashable, Sendable, Codable {
    /// Percent of requests the new generation takes (1–99); the old one takes the rest.
    public var weight: Int
    /// Seconds the step holds before its numbers are read and judged.
    public var pauseSeconds: Int

    public init(weight: Int, pauseSeconds: Int) {
        self.weight = weight
        self.pauseSeconds = pauseSeconds
    }
}

/// `spec.rollout.analysis`: the thresholds a canary step's numbers (measured by HAProxy
/// for the new generation's servers over the step) must meet.
public struct CanaryAnalysis: Hashable, Sendable, Codable {
    /// Highest share of failed requests (5xx answers, connection and response errors).
    public var maxErrorRatio: Double
    /// Highest average response time (HAProxy's `rtime`), when set.
    public var maxResponseTimeMillis: Int?
    /// Fewest requests a step needs to be judged; with fewer the step waits for more
    /// (inconclusive) until `progressDeadlineSeconds` runs out.
    public var minRequests: Int

    public init(maxErrorRatio: Double = ManifestDefaults.canaryMaxErrorRatio,
                maxResponseTimeMillis: Int? = nil,
                minRequests: Int = ManifestDefaults.canaryMinRequests) {
        self.maxErrorRatio = maxErrorRatio
        self.maxResponseTimeMillis = maxResponseTimeMillis
        self.minRequests = minRequests
    }
}

/// `spec.rollout.canary` and `spec.rollout.analysis` as written, with positions for the
/// checks that need the rest of the spec (endpoint, strategy).
public struct CanaryFragment: Hashable, Sendable {
    public var steps: [CanaryStep]
    /// Where `spec.rollout.canary` is written.
    public var position: SourcePosition

    public init(steps: [CanaryStep], position: SourcePosition) {
        self.steps = steps
        self.position = position
    }
}

/// `spec.rollout.analysis` as written.
public struct AnalysisFragment: Hashable, Sendable {
    public var maxErrorRatio: Double?
    public var maxResponseTimeMillis: Int?
    public var minRequests: Int?
    /// Where `spec.rollout.analysis` is written.
    public var position: SourcePosition

    public init(position: SourcePosition) {
        self.position = position
    }

    /// The resolved thresholds (defaults for what is not written).
    public var resolved: CanaryAnalysis {
        CanaryAnalysis(maxErrorRatio: maxErrorRatio ?? ManifestDefaults.canaryMaxErrorRatio,
                       maxResponseTimeMillis: maxResponseTimeMillis,
                       minRequests: minRequests ?? ManifestDefaults.canaryMinRequests)
    }
}
