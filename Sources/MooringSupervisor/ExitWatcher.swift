import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thread that blocks in `poll(2)` on every watched pidfd and calls back when one
/// becomes readable (its process exited). Exits are learned when they happen, never by
/// sleeping and checking.
///
/// Each registration has a token: a descriptor number is reused as soon as it is closed,
/// so a poll that was started before an `unwatch` must not fire the callback of a new
/// pidfd that got the same number (it would report a live replica as exited and lose
/// its real exit).
final class ExitWatcher: @unchecked Sendable {
    /// The watcher every supervisor in the process shares.
    static let shared = ExitWatcher()

    private let lock = NSLock()
    private var callbacks: [Int32: (token: UInt64, callback: @Sendable () -> Void)] = [:]
    private var nextToken: UInt64 = 0
    private var wakeFD: Int32 = -1
    private var started = false

    private init() {}

    /// Calls `onExit` once, on the watcher thread, when `pidfd` becomes readable.
    func watch(_ pidfd: Int32, onExit: @escaping @Sendable () -> Void) {
        lock.lock()
        nextToken += 1
        callbacks[pidfd] = (nextToken, onExit)
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
            let watched = callbacks.map { (fd: $0.key, token: $0.value.token) }
            fds += watched.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            lock.unlock()

            let rc = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), -1) }
            if rc < 0 { continue }  // EINTR
            if fds[0].revents != 0 {
                var value: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &value) { read(wake, $0.baseAddress, 8) }
            }
            var fired: [@Sendable () -> Void] = []
            lock.lock()
            for (entry, registration) in zip(fds.dropFirst(), watched) where entry.revents & Int16(POLLIN) != 0 {
                // Only the registration this poll was made for: not a later one on a reused number.
                guard let current = callbacks[entry.fd], current.token == registration.token else { continue }
                callbacks[entry.fd] = nil
                fired.append(current.callback)
            }
            lock.unlock()
            for callback in fired { callback() }
        }
    }
}
