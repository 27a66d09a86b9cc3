import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thread that blocks in `epoll_wait(2)` on every watched pidfd and calls back when one
/// becomes readable (its process exited). Exits are learned when they happen, never by
/// sleeping and checking, and a registration or an exit costs the same whether 10 or 2,000
/// pidfds are watched (a `poll(2)` over all of them on every change was a fifth of the
/// controller's CPU while 1,000 replicas started; BENCHMARKS.md).
///
/// Each registration has a token, which epoll reports instead of the descriptor: a
/// descriptor number is reused as soon as it is closed, so an event read before an
/// `unwatch` must not fire the callback of a new pidfd that got the same number (it would
/// report a live replica as exited and lose its real exit).
final class ExitWatcher: @unchecked Sendable {
    /// The watcher every supervisor in the process shares.
    static let shared = ExitWatcher()

    private let lock = NSLock()
    /// Per token: the descriptor and what to call.
    private var callbacks: [UInt64: (fd: Int32, callback: @Sendable () -> Void)] = [:]
    /// The token of each watched descriptor.
    private var tokens: [Int32: UInt64] = [:]
    private var nextToken: UInt64 = 0
    private var epollFD: Int32 = -1
    private var started = false

    private init() {}

    /// Calls `onExit` once, on the watcher thread, when `pidfd` becomes readable.
    func watch(_ pidfd: Int32, onExit: @escaping @Sendable () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        if !started {
            started = true
            epollFD = mooring_epoll_create()
            let thread = Thread { [self] in run() }
            thread.name = "mooring-exit-watcher"
            thread.start()
        }
        if let old = tokens[pidfd] {
            // A number reused without an unwatch: the old registration is over.
            callbacks[old] = nil
            _ = mooring_epoll_remove(epollFD, pidfd)
        }
        nextToken += 1
        let token = nextToken
        callbacks[token] = (pidfd, onExit)
        tokens[pidfd] = token
        if mooring_epoll_add(epollFD, pidfd, token) != 0 {
            // Not watchable (no epoll instance, or the descriptor is bad): report the exit
            // now rather than never — the callback reaps or finds the process gone.
            callbacks[token] = nil
            tokens[pidfd] = nil
            DispatchQueue.global().async { onExit() }
        }
    }

    /// Stops watching `pidfd`; its callback will not be called.
    func unwatch(_ pidfd: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard let token = tokens.removeValue(forKey: pidfd) else { return }
        callbacks[token] = nil
        _ = mooring_epoll_remove(epollFD, pidfd)
    }

    private func run() {
        lock.lock()
        let epoll = epollFD
        lock.unlock()
        var ready = [UInt64](repeating: 0, count: 64)
        while true {
            let count = ready.withUnsafeMutableBufferPointer { mooring_epoll_wait(epoll, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { continue }
            var fired: [@Sendable () -> Void] = []
            lock.lock()
            for token in ready[..<Int(count)] {
                // Only a registration still current: not one unwatched after the event was read.
                guard let registration = callbacks.removeValue(forKey: token) else { continue }
                if tokens[registration.fd] == token { tokens[registration.fd] = nil }
                _ = mooring_epoll_remove(epoll, registration.fd)
                fired.append(registration.callback)
            }
            lock.unlock()
            for callback in fired { callback() }
        }
    }
}
