/// Restart delays: `initial` doubling per consecutive failure up to `max`, with jitter,
/// reset once a replica has been ready for `resetAfter`; plus crash-loop detection.
public struct BackoffPolicy: Sendable, Hashable {
    /// The delay before the first restart.
    public var initial: Duration
    /// The cap on the delay.
    public var max: Duration
    /// A replica ready for this long has its failure count reset.
    public var resetAfter: Duration
    /// The largest fraction jitter shortens a delay by (0.1: up to 10 % shorter).
    public var jitterFraction: Double
    /// Consecutive fast failures that make a crash loop.
    public var crashLoopThreshold: Int
    /// An exit this soon after starting (or before ever becoming ready) is a fast failure.
    public var crashLoopWindow: Duration

    /// Creates a policy; the defaults are DESIGN.md's (1 s doubling to 300 s, reset after 600 s).
    public init(
        initial: Duration = .seconds(1),
        max: Duration = .seconds(300),
        resetAfter: Duration = .seconds(600),
        jitterFraction: Double = 0.1,
        crashLoopThreshold: Int = 5,
        crashLoopWindow: Duration = .seconds(10)
    ) {
        self.initial = initial
        self.max = max
        self.resetAfter = resetAfter
        self.jitterFraction = Swift.min(Swift.max(jitterFraction, 0), 1)
        self.crashLoopThreshold = Swift.max(1, crashLoopThreshold)
        self.crashLoopWindow = crashLoopWindow
    }

    /// The delay before restarting after `n` consecutive failures (`n` ≥ 1; zero for `n` ≤ 0).
    ///
    /// `jitter` in `0...1` (the caller draws it, so this stays pure) shortens the delay by up
    /// to `jitterFraction`, so the result never exceeds `max`.
    public func delay(afterFailures n: Int, jitter: Double) -> Duration {
        guard n > 0 else { return .zero }
        var base = initial
        var step = 1
        while step < n && base < max {
            base = base * 2
            step += 1
        }
        if base > max { base = max }
        let j = Swift.min(Swift.max(jitter, 0), 1)
        return base * (1 - jitterFraction * j)
    }
}
