import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for process groups to have no live member left, for every stopping replica at
/// once: a group with no process at all is seen at once with `kill(-group, 0)` (ESRCH);
/// for the rest, one thread scans `/proc` once per round (every 20 ms) and answers every
/// waiter from that one scan. Stopping N replicas so costs rounds × processes, not
/// N × processes.
final class GroupWatcher: @unchecked Sendable {
    /// The watcher every supervisor in the process shares.
    static let shared = GroupWatcher()

    /// Time between two scans.
    static let interval: Duration = .milliseconds(20)

    private struct Waiter {
        var group: Int32
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Bool, Never>
    }

    private let lock = NSLock()
    private var waiters: [UUID: Waiter] = [:]
    private var scanning = false

    private init() {}

    /// Whether the group has no process at all, not even a zombie (no /proc scan needed).
    static func hasNoProcess(_ group: Int32) -> Bool {
        kill(-group, 0) != 0 && errno == ESRCH
    }

    /// Waits until `group` has no live (non-zombie) member, `deadline` passes or the task
    /// is cancelled. Returns whether the group was seen empty.
    func waitUntilEmpty(_ group: Int32, deadline: ContinuousClock.Instant) async -> Bool {
        if Self.hasNoProcess(group) { return true }
        let token = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                lock.lock()
                if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(returning: false)
                    return
                }
                waiters[token] = Waiter(group: group, deadline: deadline, continuation: continuation)
                let start = !scanning
                scanning = true
                lock.unlock()
                if start {
                    let thread = Thread { [self] in scan() }
                    thread.name = "mooring-group-watcher"
                    thread.start()
                }
            }
        } onCancel: {
            lock.lock()
            let waiter = waiters.removeValue(forKey: token)
            lock.unlock()
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Scans every `interval` while anyone waits, then ends (a later waiter starts another).
    private func scan() {
        let clock = ContinuousClock()
        while true {
            Thread.sleep(forTimeInterval: Double(Self.interval / .seconds(1)))
            lock.lock()
            let pending = waiters
            lock.unlock()

            var answers: [UUID: Bool] = [:]
            var unsure: [UUID: Waiter] = [:]
            for (token, waiter) in pending {
                if Self.hasNoProcess(waiter.group) { answers[token] = true } else { unsure[token] = waiter }
            }
            if !unsure.isEmpty {
                let live = ProcStat.liveGroups()
                let now = clock.now
                for (token, waiter) in unsure {
                    if let live, !live.contains(waiter.group) {
                        answers[token] = true
                    } else if now >= waiter.deadline {
                        answers[token] = false
                    }
                }
            }

            lock.lock()
            var resumed: [(CheckedContinuation<Bool, Never>, Bool)] = []
            for (token, answer) in answers {
                if let waiter = waiters.removeValue(forKey: token) { resumed.append((waiter.continuation, answer)) }
            }
            let done = waiters.isEmpty
            if done { scanning = false }
            lock.unlock()
            for (continuation, answer) in resumed { continuation.resume(returning: answer) }
            if done { return }
        }
    }
}
