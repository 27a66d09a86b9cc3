import Foundation

/// A clock that only moves when a test calls `advance(by:)`, so backoff and deadlines are
/// tested without sleeping. Sleepers wake when the clock passes their deadline and throw
/// `CancellationError` when their task is cancelled.
public final class ManualClock: Clock, @unchecked Sendable {
    /// A point on the manual clock: an offset from its start.
    public struct Instant: InstantProtocol {
        /// Time since the clock started.
        public var offset: Duration

        /// Creates an instant `offset` after the clock's start.
        public init(offset: Duration) { self.offset = offset }
        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// The time from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        /// Whether `lhs` comes first.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleepers: [UUID: Sleeper] = [:]

    /// Creates a clock at offset zero.
    public init() {}

    /// The current instant.
    public var now: Instant {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    /// The clock is exact.
    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on the clock right now.
    public var sleeperCount: Int {
        lock.lock(); defer { lock.unlock() }
        return sleepers.count
    }

    /// Suspends until the clock reaches `deadline` (returns at once if it has).
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let token = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.lock()
                if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                } else if deadline <= current {
                    lock.unlock()
                    continuation.resume()
                } else {
                    sleepers[token] = Sleeper(deadline: deadline, continuation: continuation)
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let sleeper = sleepers.removeValue(forKey: token)
            lock.unlock()
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        lock.lock()
        current = current.advanced(by: duration)
        let now = current
        let due = sleepers.filter { $0.value.deadline <= now }
        for key in due.keys { sleepers[key] = nil }
        lock.unlock()
        for sleeper in due.values { sleeper.continuation.resume() }
    }
}
