import CLibGit2
import Foundation

/// Process-wide libgit2 set-up. `git_libgit2_init` runs once, the first time any Mooring
/// Git code needs the library; it is never shut down (the process owns it until exit).
enum LibGit2 {
    private static let initialized: Bool = {
        git_libgit2_init() > 0
    }()

    /// Initializes libgit2 if this is the first call in the process.
    static func ensureInitialized() {
        _ = initialized
    }
}

/// Counts the libgit2 handles a ``GitSource`` has open, so tests can prove every handle is
/// freed by its owner.
final class HandleLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var live = 0
    private var opens = 0

    func opened() { lock.withLock { live += 1; opens += 1 } }
    func closed() { lock.withLock { live -= 1 } }

    /// Handles opened and not yet freed.
    var count: Int { lock.withLock { live } }

    /// Handles opened since the ledger was made.
    var total: Int { lock.withLock { opens } }
}

/// The single Swift owner of one libgit2 handle: frees it in `deinit`.
final class GitHandle {
    let pointer: OpaquePointer
    private let release: (OpaquePointer?) -> Void
    private let ledger: HandleLedger

    init(_ pointer: OpaquePointer, ledger: HandleLedger, release: @escaping (OpaquePointer?) -> Void) {
        self.pointer = pointer
        self.release = release
        self.ledger = ledger
        ledger.opened()
    }

    deinit {
        release(pointer)
        ledger.closed()
    }

    /// Calls `body` (a libgit2 constructor writing to its out-parameter) and wraps what it
    /// made; throws a ``GitError`` read from `git_error_last` on failure.
    static func make(
        _ function: String,
        ledger: HandleLedger,
        release: @escaping (OpaquePointer?) -> Void,
        context: @autoclosure () -> String,
        _ body: (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    ) throws -> GitHandle {
        var out: OpaquePointer?
        let result = body(&out)
        guard result >= 0, let out else {
            if let out { release(out) }
            throw GitError.libgit2(result, function: function, context: context())
        }
        return GitHandle(out, ledger: ledger, release: release)
    }
}
