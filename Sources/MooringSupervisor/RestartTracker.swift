/// Pure bookkeeping of exits for backoff and crash-loop detection. Times are offsets on
/// the supervisor's clock, so it is tested without sleeping.
struct RestartTracker: Sendable, Equatable {
    /// Failures in a row, for the backoff delay (reset after `resetAfter` ready).
    private(set) var consecutiveFailures = 0
    /// Fast failures in a row, for crash-loop detection.
    private(set) var fastFailures = 0

    /// What to do after one exit.
    struct Decision: Sendable, Equatable {
        /// The `n` for `BackoffPolicy.delay(afterFailures:)`.
        var failures: Int
        /// Whether the replica is now in a crash loop.
        var crashLoop: Bool
    }

    /// Records an exit of a process started at `startedAt`, ready from `readyAt` (nil if
    /// never), that exited at `exitedAt`.
    mutating func recordExit(startedAt: Duration, readyAt: Duration?, exitedAt: Duration,
                             policy: BackoffPolicy) -> Decision {
        if let readyAt, exitedAt - readyAt >= policy.resetAfter {
            consecutiveFailures = 0
        }
        consecutiveFailures += 1
        let fast = readyAt == nil || exitedAt - startedAt < policy.crashLoopWindow
        fastFailures = fast ? fastFailures + 1 : 0
        return Decision(failures: consecutiveFailures, crashLoop: fastFailures >= policy.crashLoopThreshold)
    }
}
