import MooringTesting
@testable import MooringSupervisor
import Testing

/// Backoff and crash-loop arithmetic driven by a manual clock: no sleeping.
@Suite struct RestartTrackerTests {
    let policy = BackoffPolicy(initial: .seconds(1), max: .seconds(300), resetAfter: .seconds(600),
                               crashLoopThreshold: 3, crashLoopWindow: .seconds(10))

    @Test func fastFailuresBecomeACrashLoopAndDelaysGrow() {
        let clock = ManualClock()
        var tracker = RestartTracker()
        var decisions: [RestartTracker.Decision] = []
        for _ in 0..<4 {
            let started = clock.now.offset
            clock.advance(by: .seconds(2))  // runs 2 s, never ready
            decisions.append(tracker.recordExit(startedAt: started, readyAt: nil, exitedAt: clock.now.offset, policy: policy))
            clock.advance(by: policy.delay(afterFailures: decisions.last?.failures ?? 0, jitter: 0))
        }
        #expect(decisions.map(\.failures) == [1, 2, 3, 4])
        #expect(decisions.map(\.crashLoop) == [false, false, true, true])
        #expect(clock.now.offset == .seconds(2 * 4 + 1 + 2 + 4 + 8))
    }

    @Test func aLongReadyRunResetsTheBackoff() {
        let clock = ManualClock()
        var tracker = RestartTracker()
        _ = tracker.recordExit(startedAt: .zero, readyAt: nil, exitedAt: .seconds(1), policy: policy)
        _ = tracker.recordExit(startedAt: .seconds(3), readyAt: nil, exitedAt: .seconds(4), policy: policy)
        clock.advance(by: .seconds(10))
        let started = clock.now.offset
        clock.advance(by: .seconds(5))
        let ready = clock.now.offset
        clock.advance(by: .seconds(599))
        let early = tracker
        var shortRun = early
        // Ready for 599 s: not long enough, the count keeps growing.
        #expect(shortRun.recordExit(startedAt: started, readyAt: ready, exitedAt: clock.now.offset, policy: policy).failures == 3)
        clock.advance(by: .seconds(1))
        // Ready for 600 s: the next failure is the first again, and not a fast one.
        let decision = tracker.recordExit(startedAt: started, readyAt: ready, exitedAt: clock.now.offset, policy: policy)
        #expect(decision == RestartTracker.Decision(failures: 1, crashLoop: false))
        #expect(tracker.fastFailures == 0)
    }

    @Test func aSlowExitAfterReadinessBreaksTheCrashLoopStreak() {
        var tracker = RestartTracker()
        _ = tracker.recordExit(startedAt: .zero, readyAt: nil, exitedAt: .seconds(1), policy: policy)
        _ = tracker.recordExit(startedAt: .seconds(2), readyAt: nil, exitedAt: .seconds(3), policy: policy)
        // Ready, then ran 60 s: not fast.
        let slow = tracker.recordExit(startedAt: .seconds(5), readyAt: .seconds(6), exitedAt: .seconds(65), policy: policy)
        #expect(!slow.crashLoop)
        #expect(tracker.fastFailures == 0)
        // An exit 5 s after start, even after readiness, is fast.
        _ = tracker.recordExit(startedAt: .seconds(70), readyAt: .seconds(71), exitedAt: .seconds(75), policy: policy)
        #expect(tracker.fastFailures == 1)
    }
}
