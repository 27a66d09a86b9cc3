import CLibGit2
import Foundation
import Logging

/// What a finished fetch learned about the remote.
struct FetchOutcome: Sendable {
    /// The remote's default branch (`main`), when it advertises one.
    let defaultBranch: String?
}

/// State shared between one fetch's blocking thread, its libgit2 callbacks and the async
/// caller that waits for it. The caller's continuation is resumed exactly once, either by
/// the fetch thread when it ends or by the stall watchdog when it gives up on it.
final class FetchContext: @unchecked Sendable {
    let url: String
    let credentials: GitCredentials
    let httpsSecret: String?
    let sshPassphrase: String?
    let knownHosts: KnownHosts?
    let logger: Logger

    private let lock = NSLock()
    private let clock = ContinuousClock()
    private var lastProgress: ContinuousClock.Instant
    private var cancelled = false
    private var finished = false
    private var continuation: CheckedContinuation<FetchOutcome, any Error>?

    // Touched only from the fetch thread (libgit2 calls its callbacks there).
    var attempts = 0
    var credentialProblem: String?
    var hostKeyProblem: String?

    init(url: String, credentials: GitCredentials, logger: Logger) throws {
        self.url = url
        self.credentials = credentials
        self.logger = logger
        self.httpsSecret = try credentials.https?.secret.read()
        self.sshPassphrase = try credentials.ssh?.passphrase?.read()
        self.knownHosts = try credentials.ssh.map { try KnownHosts(path: $0.knownHostsPath) }
        self.lastProgress = clock.now
    }

    /// Removes any configured secret from `text` (belt and braces: libgit2 never puts one
    /// in a message, but a server's error body could echo it).
    func redact(_ text: String) -> String {
        var text = scrubUserInfo(in: text)
        for secret in [httpsSecret, sshPassphrase].compactMap({ $0 }) where secret.count >= 3 {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }

    /// Describes the credential offered, never its value.
    var credentialDescription: String {
        if let https = credentials.https {
            return "HTTPS user `\(https.username)` with the secret from \(https.secret)"
        }
        if let ssh = credentials.ssh {
            return "SSH key `\(ssh.privateKeyPath)`"
        }
        return "no credential"
    }

    // MARK: Progress and cancellation

    /// Records progress; returns false when the fetch has been abandoned and must stop.
    func noteProgress() -> Bool {
        lock.withLock {
            lastProgress = clock.now
            return !cancelled
        }
    }

    var isCancelled: Bool { lock.withLock { cancelled } }

    /// Installs the continuation the caller waits on.
    func install(_ continuation: CheckedContinuation<FetchOutcome, any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    /// Ends the wait with `result`, if nothing ended it before.
    func finish(_ result: Result<FetchOutcome, any Error>) {
        let waiting: CheckedContinuation<FetchOutcome, any Error>? = lock.withLock {
            finished = true
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: result)
    }

    var isFinished: Bool { lock.withLock { finished } }

    /// If nothing happened for `timeout`, marks the fetch abandoned (its next callback
    /// cancels it) and ends the wait with a `stalled` error. Returns whether it did.
    func abandonIfStalled(after timeout: Duration) -> Bool {
        let waiting: CheckedContinuation<FetchOutcome, any Error>? = lock.withLock {
            guard !finished, clock.now - lastProgress >= timeout else { return nil }
            cancelled = true
            finished = true
            defer { continuation = nil }
            return continuation
        }
        guard let waiting else { return false }
        waiting.resume(throwing: GitError(
            code: .stalled,
            message: "fetch of \(url) made no progress for \(timeout) and was abandoned. "
                + "The next update retries; check the network or raise the stall timeout",
            function: "git_remote_fetch", isRetryable: true))
        return true
    }

    /// Ends the wait because the caller's task was cancelled; the fetch stops at its next callback.
    func abandon(with error: any Error) {
        let waiting: CheckedContinuation<FetchOutcome, any Error>? = lock.withLock {
            cancelled = true
            finished = true
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(throwing: error)
    }
}
