import MooringSupervisor
import Testing

@Suite struct BackoffPolicyTests {
    @Test(arguments: [
        // failures, jitter, expected milliseconds (1 s doubling to a 300 s cap, up to 10 % shorter)
        (0, 0.0, 0),
        (1, 0.0, 1_000),
        (2, 0.0, 2_000),
        (3, 0.0, 4_000),
        (9, 0.0, 256_000),
        (10, 0.0, 300_000),
        (1_000, 0.0, 300_000),
        (1, 1.0, 900),
        (10, 1.0, 270_000),
        (3, 0.5, 3_800),
    ])
    func delayDoublesToTheCapWithJitter(failures: Int, jitter: Double, expectedMilliseconds: Int) {
        let policy = BackoffPolicy()
        #expect(policy.delay(afterFailures: failures, jitter: jitter) == .milliseconds(expectedMilliseconds))
    }

    @Test func jitterNeverExceedsTheCap() {
        let policy = BackoffPolicy(initial: .milliseconds(100), max: .seconds(1))
        for failures in 1...20 {
            for jitter in stride(from: 0.0, through: 1.0, by: 0.25) {
                let delay = policy.delay(afterFailures: failures, jitter: jitter)
                #expect(delay <= .seconds(1))
                #expect(delay >= .milliseconds(90))
            }
        }
    }

    @Test(arguments: [
        (RestartPolicy.always, Int32(0), false, true),
        (.always, 1, false, true),
        (.onFailure, 0, false, false),
        (.onFailure, 2, false, true),
        (.onFailure, 0, true, true),
        (.never, 1, false, false),
        (.never, 0, true, false),
    ])
    func restartPolicyDecides(policy: RestartPolicy, code: Int32, startupTimedOut: Bool, restarts: Bool) {
        let status = ExitStatus(code: code, signal: nil, time: .now)
        #expect(policy.restarts(after: status, startupTimedOut: startupTimedOut) == restarts)
    }

    @Test func signalsAndUnknownStatusAreFailuresForOnFailure() {
        #expect(RestartPolicy.onFailure.restarts(after: ExitStatus(code: nil, signal: 9, time: .now), startupTimedOut: false))
        #expect(RestartPolicy.onFailure.restarts(after: ExitStatus(code: nil, signal: nil, time: .now), startupTimedOut: false))
    }
}
