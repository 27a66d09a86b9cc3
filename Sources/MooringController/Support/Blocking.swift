import Dispatch
import Synchronization

/// Runs blocking work — a revision export, a file digest, a `/proc` scan, a libgit2 read
/// — on a dispatch queue of its own, so it never holds a thread of Swift's cooperative
/// pool (two threads on this machine) while the controller waits for it.
enum Blocking {
    private static let queue = DispatchQueue(label: "mooring.blocking", qos: .utility, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }

    /// Like ``run(_:)``, but gives up waiting after `deadline` and returns nil; the work
    /// itself cannot be interrupted and finishes on its own thread, its result dropped.
    static func run<T: Sendable>(deadline: Duration, _ work: @escaping @Sendable () throws -> T) async throws -> T? {
        let resumed = Mutex(false)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T?, any Error>) in
            queue.async {
                let result = Result { try work() }
                guard resumed.withLock({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(with: result.map { Optional($0) })
            }
            let nanoseconds = deadline.components.seconds * 1_000_000_000 + deadline.components.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) {
                guard resumed.withLock({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(returning: nil)
            }
        }
    }
}
