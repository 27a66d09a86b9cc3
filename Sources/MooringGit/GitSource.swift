import CLibGit2
import Foundation
import Logging
import Synchronization

/// The controller's view of the manifests repository: fetches (or, for a local path, just
/// reads) the tracked reference, reads trees at any commit without a work tree, and exports
/// revisions as read-only directories.
///
/// Thread-safe: each call opens its own libgit2 repository handle. The blocking fetch runs
/// on its own thread, never on Swift's cooperative pool; reads are short and synchronous.
public final class GitSource: Sendable {
    /// The configuration this source was made with.
    public let configuration: GitSourceConfiguration
    let logger: Logger
    let ledger = HandleLedger()
    let mirror: Mirror?
    let fetchGate = FetchGate()
    /// The last full read of a local repository (see ``LocalRefStamp``).
    let localMemo = Mutex<LocalReadMemo?>(nil)

    /// Checks the configuration (nothing touches the network or the disk yet).
    public init(configuration: GitSourceConfiguration, logger: Logger) throws {
        LibGit2.ensureInitialized()
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "repo"] = "\(configuration.location)"
        self.logger = logger
        switch configuration.location {
        case .localPath(let path):
            guard !path.isEmpty else {
                throw GitError(code: .invalidConfiguration, message: "the repository path is empty")
            }
            mirror = nil
        case .remote(let url):
            guard !url.isEmpty, !url.contains(where: \.isWhitespace) else {
                throw GitError(code: .invalidConfiguration, message: "the repository URL `\(scrubUserInfo(in: url))` is not valid")
            }
            mirror = Mirror(url: url, stateDirectory: configuration.stateDirectory)
        }
        if case .commit(let sha) = configuration.reference, ObjectID(hex: sha) == nil {
            throw GitError(
                code: .invalidConfiguration,
                message: "pinned commit `\(sha)` is not a full 40-digit SHA. Pin the full SHA (git rev-parse)")
        }
        if configuration.stallTimeout <= .zero {
            throw GitError(code: .invalidConfiguration, message: "the fetch stall timeout must be positive")
        }
    }

    /// libgit2 handles this source has open right now (0 when idle): every handle is
    /// freed by its owner, and tests check that.
    public var liveHandleCount: Int { ledger.count }

    /// libgit2 handles this source has opened in all (an unchanged poll of a local
    /// repository opens none).
    public var openedHandleCount: Int { ledger.total }

    /// Where the bare mirror of a remote source lives (nil for a local path).
    public var mirrorDirectory: URL? { mirror?.directory }

    /// Opens the repository to read: the local one, or the mirror of the remote.
    func openRepository() throws -> Repository {
        switch configuration.location {
        case .localPath(let path):
            do {
                return try Repository.open(path, ledger: ledger)
            } catch let error as GitError {
                throw GitError(
                    code: .notFound,
                    message: "no Git repository at `\(path)`: \(error.message). Check the repository path",
                    function: error.function, isRetryable: false, cause: error)
            }
        case .remote(let url):
            guard let mirror, FileManager.default.fileExists(atPath: mirror.path) else {
                throw GitError(
                    code: .notFound,
                    message: "\(scrubUserInfo(in: url)) has not been fetched yet. Run an update first",
                    isRetryable: true)
            }
            return try Repository.open(mirror.path, ledger: ledger)
        }
    }

    var isRemote: Bool { mirror != nil }
}

/// Lets one fetch into the mirror run at a time, including one abandoned after a stall
/// that is still blocked in libgit2.
final class FetchGate: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false

    func tryEnter() -> Bool {
        lock.withLock {
            if running { return false }
            running = true
            return true
        }
    }

    func leave() { lock.withLock { running = false } }
}
