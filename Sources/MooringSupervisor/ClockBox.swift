/// Any `Clock<Duration>` reduced to what the supervisor needs: elapsed time since it was
/// created and sleeping. Lets the actor take an injected clock without being generic.
struct ClockBox: Sendable {
    /// Time since the box was made.
    let now: @Sendable () -> Duration
    /// Sleeps for a duration; throws `CancellationError` when cancelled.
    let sleep: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { duration in try await clock.sleep(for: duration) }
    }
}
