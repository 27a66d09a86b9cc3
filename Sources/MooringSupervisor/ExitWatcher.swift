import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thread that blocks in `poll(2)` on every watched pidfd and calls back when one
/// becomes readable (its process exited). Exits are learned when they happen, never by
/// sleeping and checking.
final class ExitWatcher: @unchecked Sendable {
    /// The watcher every supervisor in the process shares.
    static let shared = ExitWatcher()

    private let lock = NSLock()
    private var callbacks: [Int32: @Sendable () -> Void] = [:]
    private var wakeFD: Int32 = -1
    private var started = false

    private init() {}

    /// Calls `onExit` once, on the watcher thread, when `pidfd` becomes readable.
    func watch(_ pidfd: Int32, onExit: @escaping @Sendable () -> Void) {
        lock.lock()
        callbacks[pidfd] = onExit
        if !started {
            started = true
            wakeFD = mooring_wake_fd()
            let thread = Thread { [self] in run() }
            thread.name = "mooring-exit-watcher"
            thread.start()
        }
        let fd = wakeFD
        lock.unlock()
        wake(fd)
    }

    /// Stops watching `pidfd`; its callback will not be called.
    func unwatch(_ pidfd: Int32) {
        lock.lock()
        callbacks[pidfd] = nil
        let fd = wakeFD
        lock.unlock()
        wake(fd)
    }

    private func wake(_ fd: Int32) {
        guard fd >= 0 else { return }
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
    }

    private func run() {
        while true {
            lock.lock()
            let wake = wakeFD
            var fds = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            fds += callbacks.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            lock.unlock()

            let rc = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), -1) }
            if rc < 0 { continue }  // EINTR
            if fds[0].revents != 0 {
                var value: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &value) { read(wake, $0.baseAddress, 8) }
            }
            var fired: [@Sendable () -> Void] = []
            lock.lock()
            for entry in fds.dropFirst() where entry.revents != 0 {
                if let callback = callbacks.removeValue(forKey: entry.fd) { fired.append(callback) }
            }
            lock.unlock()
            for callback in fired { callback() }
        }
    }
}
