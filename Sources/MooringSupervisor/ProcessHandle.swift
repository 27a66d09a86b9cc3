import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One supervised process: its identity, a pidfd that reports its exit, and the exit
/// status once known. The owner of the pidfd; closes it when released.
final class ProcessHandle: @unchecked Sendable {
    let identity: ProcessIdentity
    /// Whether the process is our child (we spawned it, or it was adopted in the same
    /// process): only then can we reap it and learn its exit status.
    let isChild: Bool
    private let pidfd: Int32

    private let lock = NSLock()
    private var status: ExitStatus?
    private var waiters: [UUID: CheckedContinuation<ExitStatus?, Never>] = [:]
    private var closed = false

    init(identity: ProcessIdentity, pidfd: Int32, isChild: Bool) {
        self.identity = identity
        self.pidfd = pidfd
        self.isChild = isChild
        ExitWatcher.shared.watch(pidfd) { [weak self] in self?.exited() }
    }

    deinit { close() }

    /// The exit status, once the process has exited.
    var exitStatus: ExitStatus? {
        lock.lock(); defer { lock.unlock() }
        return status
    }

    /// Stops watching and closes the pidfd (the process keeps running).
    func close() {
        lock.lock()
        let wasClosed = closed
        closed = true
        let pending = waiters
        waiters = [:]
        lock.unlock()
        guard !wasClosed else { return }
        ExitWatcher.shared.unwatch(pidfd)
        Glibc.close(pidfd)
        for waiter in pending.values { waiter.resume(returning: nil) }
    }

    /// Called on the watcher thread when the pidfd becomes readable: reap (if a child) and
    /// wake every waiter.
    private func exited() {
        var code: Int32 = -1
        var signal: Int32 = 0
        var result = ExitStatus(code: nil, signal: nil, time: Date())
        lock.lock()
        if !closed, isChild, mooring_pidfd_reap(pidfd, 1, &code, &signal) == 1 {
            result = signal != 0 ? ExitStatus(code: nil, signal: signal, time: result.time)
                                 : ExitStatus(code: code, signal: nil, time: result.time)
            ChildRegistry.shared.reaped(identity.pid)
        }
        status = result
        let pending = waiters
        waiters = [:]
        lock.unlock()
        for waiter in pending.values { waiter.resume(returning: result) }
    }

    /// Waits for the exit. Returns nil when the task is cancelled or the handle closed.
    func waitForExit() async -> ExitStatus? {
        let token = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ExitStatus?, Never>) in
                lock.lock()
                if let status {
                    lock.unlock()
                    continuation.resume(returning: status)
                } else if closed || Task.isCancelled {
                    lock.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiters[token] = continuation
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let waiter = waiters.removeValue(forKey: token)
            lock.unlock()
            waiter?.resume(returning: nil)
        }
    }

    /// Sends `signal` to the whole process group. Only ever called for a verified identity.
    func signalGroup(_ signal: Int32) {
        lock.lock()
        let alreadyClosed = closed
        lock.unlock()
        guard !alreadyClosed else { return }
        // The leader is a session leader (setsid), so its group id cannot have been reused
        // while it or any member lives.
        _ = kill(-identity.processGroup, signal)
        // If the leader left the group somehow, still reach it through its pidfd.
        _ = mooring_pidfd_send_signal(pidfd, signal)
    }
}
