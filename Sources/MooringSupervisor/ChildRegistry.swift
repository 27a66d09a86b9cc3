import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The children this process spawned through the supervisor (replicas and exec probes),
/// so that, as a child subreaper, it can reap the *other* children it inherits — orphaned
/// descendants of replicas — without ever stealing the exit status of one of its own.
///
/// Spawning registers under the lock, and the reaper checks under the same lock, so a
/// fresh child is never mistaken for an orphan.
final class ChildRegistry: @unchecked Sendable {
    static let shared = ChildRegistry()

    private let lock = NSLock()
    private var children: Set<pid_t> = []

    /// Runs `spawn` (which returns the new child's pid) and registers the child atomically.
    func spawning(_ spawn: () throws -> pid_t) rethrows -> pid_t {
        lock.lock()
        defer { lock.unlock() }
        let pid = try spawn()
        if pid > 0 { children.insert(pid) }
        return pid
    }

    /// Forgets `pid` once its owner has reaped it.
    func reaped(_ pid: pid_t) {
        lock.lock()
        defer { lock.unlock() }
        children.remove(pid)
    }

    /// Reaps every zombie child of this process that is not a registered child. Returns
    /// their pids.
    @discardableResult
    func reapOrphans() -> [pid_t] {
        // Cheap first look: is any child waitable at all? (WNOWAIT leaves it waitable.)
        guard mooring_child_waitable() == 1 else { return [] }
        let me = getpid()
        let zombies = ProcStat.children(of: me).filter { ProcStat.read(pid: $0)?.isZombie == true }
        guard !zombies.isEmpty else { return [] }
        lock.lock()
        defer { lock.unlock() }
        var reaped: [pid_t] = []
        for pid in zombies where !children.contains(pid) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { reaped.append(pid) }
        }
        return reaped
    }
}

/// While this process is a child subreaper, reaps the orphans it inherits once a second
/// (and whenever a stop asks), so they never pile up as zombies.
enum OrphanReaper {
    private static let started = NSLock()
    nonisolated(unsafe) private static var running = false

    /// Makes this process a child subreaper and starts the reaper thread (once).
    /// Returns false when the kernel refused (`prctl`), in which case orphans go to init.
    static func start() -> Bool {
        started.lock()
        defer { started.unlock() }
        if running { return true }
        guard mooring_set_child_subreaper() == 0 else { return false }
        running = true
        let thread = Thread {
            while true {
                ChildRegistry.shared.reapOrphans()
                Thread.sleep(forTimeInterval: 1)
            }
        }
        thread.name = "mooring-orphan-reaper"
        thread.start()
        return true
    }
}
