import Foundation

/// Runs `body` on a thread of its own (with `stackSize` bytes of stack) and returns its
/// result, or `nil` when it has not finished within `deadline`. A hang then fails the
/// test that asked instead of hanging the whole run (the thread is left behind). This
/// is a limit for "returns at all", never a measure of speed: keep deadlines generous.
public func runWithHangDeadline<T: Sendable>(
    _ deadline: Duration = .seconds(30), stackSize: Int = 8 << 20, _ body: @escaping @Sendable () -> T
) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let once = ResumeOnce(continuation)
        let thread = Thread { once.resume(body()) }
        thread.stackSize = stackSize
        thread.start()
        let (seconds, attoseconds) = deadline.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { once.resume(nil) }
    }
}

/// Resumes a continuation with the first value given, ignoring later ones.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T?, Never>?

    init(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation = continuation
    }

    func resume(_ value: T?) {
        lock.withLock {
            continuation?.resume(returning: value)
            continuation = nil
        }
    }
}
