import Synchronization

/// A replica's supervision (or stop) running as a child task of the supervisor's task
/// group (``Supervisor/run()``), with what an unstructured `Task` offers the supervisor:
/// cancel it alone, and await its end.
///
/// A child of a task group cannot be cancelled on its own, so each runs its work beside a
/// second child that waits for ``cancel()``; whichever ends first cancels the other.
final class ReplicaTask: Sendable {
    private struct State {
        var cancelled = false
        var cancelWaiter: CheckedContinuation<Void, Never>?
        var done = false
        var doneWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let operation: @Sendable () async -> Void

    init(_ operation: @escaping @Sendable () async -> Void) {
        self.operation = operation
    }

    /// Asks the work to stop (it is cancelled as a task is).
    func cancel() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.cancelled = true
            defer { state.cancelWaiter = nil }
            return state.cancelWaiter
        }
        waiter?.resume()
    }

    /// Returns when the work has ended.
    var value: Void {
        get async {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Bool in
                    if !state.done { state.doneWaiters.append(continuation) }
                    return state.done
                }
                if done { continuation.resume() }
            }
        }
    }

    /// Runs the work (in the supervisor's group, or as a task of its own).
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.operation() }
            group.addTask { await self.cancellation() }
            _ = await group.next()
            group.cancelAll()
        }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.doneWaiters = [] }
            return state.doneWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when ``cancel()`` is called, or when this child is cancelled because the
    /// work ended first.
    private func cancellation() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.cancelled { return true }
                    state.cancelWaiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.cancelled = true
                defer { state.cancelWaiter = nil }
                return state.cancelWaiter
            }
            waiter?.resume()
        }
    }
}
