import CLibGit2
import Foundation
import Logging

/// The bare mirror of one remote under `<state>/git/`.
///
/// Its directory name is derived from the URL (a readable slug plus a hash of the full
/// URL), and the scrubbed URL is recorded inside it, so the same URL finds the same mirror
/// after a restart and a different URL never reuses it.
struct Mirror: Sendable {
    static let urlRecordName = "mooring-source-url"
    static let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    let url: String
    let directory: URL

    init(url: String, stateDirectory: URL) {
        self.url = url
        self.directory = stateDirectory.appendingPathComponent("git", isDirectory: true)
            .appendingPathComponent(Self.directoryName(for: url), isDirectory: true)
    }

    var path: String { directory.path }

    /// `<slug>-<16 hex of SHA-1(url)>`, e.g. `manifests-3f2a…`.
    static func directoryName(for url: String) -> String {
        LibGit2.ensureInitialized()
        var oid = git_oid()
        let bytes = Array(url.utf8)
        _ = bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        let hash = String(ObjectID(oid).hex.prefix(16))
        var last = url.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? "repo"
        if last.hasSuffix(".git") { last.removeLast(4) }
        let slug = String(last.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }.prefix(40))
        return (slug.isEmpty ? "repo" : slug) + "-" + hash
    }

    /// Opens the mirror, creating it when missing and re-creating it when it is not a
    /// usable repository or records another URL.
    func open(ledger: HandleLedger, logger: Logger) throws -> Repository {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: path) {
            let recorded = try? String(contentsOf: directory.appendingPathComponent(Self.urlRecordName), encoding: .utf8)
            if recorded != scrubUserInfo(in: url) {
                logger.warning("mirror does not record this URL; re-creating it", metadata: ["mirror": "\(path)"])
            } else {
                do {
                    return try Repository.open(path, ledger: ledger)
                } catch let error as GitError {
                    logger.warning("mirror cannot be opened; re-cloning it", metadata: ["mirror": "\(path)", "error": "\(error)"])
                }
            }
        }
        return try recreate(ledger: ledger, logger: logger)
    }

    /// Deletes the mirror and creates an empty one in its place.
    func recreate(ledger: HandleLedger, logger: Logger) throws -> Repository {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: path) {
            do { try fileManager.removeItem(at: directory) } catch {
                throw GitError(
                    code: .corruptMirror,
                    message: "cannot remove the damaged mirror `\(path)`: \(error.localizedDescription). Remove it by hand",
                    cause: GitErrorCause(error))
            }
        }
        do {
            try fileManager.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw GitError(
                code: .invalidConfiguration,
                message: "cannot create `\(directory.deletingLastPathComponent().path)`: \(error.localizedDescription)",
                cause: GitErrorCause(error))
        }
        let repository = try Repository.initBare(path, ledger: ledger)
        let record = directory.appendingPathComponent(Self.urlRecordName)
        if !fileManager.createFile(atPath: record.path, contents: Data(scrubUserInfo(in: url).utf8)) {
            throw GitError.posix("open", path: record.path, errno: errno, doing: "cannot record the mirror's URL in")
        }
        logger.info("created mirror", metadata: ["url": "\(scrubUserInfo(in: url))", "mirror": "\(path)"])
        return repository
    }

    /// Fetches every branch and tag with prune, on the calling thread (blocking), and
    /// records the remote's default branch as the mirror's `HEAD`.
    static func blockingFetch(into repository: Repository, context: FetchContext) throws -> FetchOutcome {
        let remote = try GitHandle.make(
            "git_remote_create_anonymous", ledger: repository.ledger, release: git_remote_free,
            context: "invalid remote URL \(scrubUserInfo(in: context.url))"
        ) { out in
            git_remote_create_anonymous(out, repository.pointer, context.url)
        }
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        options.update_fetchhead = 0
        FetchCallbacks.install(on: &options.callbacks, context: context)

        let cStrings = refspecs.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers: [UnsafeMutablePointer<CChar>?] = cStrings
        let result = withExtendedLifetime(context) {
            pointers.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                return git_remote_fetch(remote.pointer, &array, &options, "mooring: fetch")
            }
        }
        guard result >= 0 else {
            throw error(for: result, context: context)
        }

        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        var defaultBranch: String?
        if git_remote_default_branch(&buffer, remote.pointer) == 0, let text = buffer.ptr {
            let name = String(cString: text)
            if name.hasPrefix("refs/heads/") {
                let branch = String(name.dropFirst("refs/heads/".count))
                try repository.setHead(branch: branch)
                defaultBranch = branch
            }
        }
        git_error_clear()
        return FetchOutcome(defaultBranch: defaultBranch)
    }

    /// Turns a failed fetch into the error that explains it best.
    private static func error(for result: Int32, context: FetchContext) -> GitError {
        let libgit2 = GitError.libgit2(result, function: "git_remote_fetch", context: "fetch of \(context.url) failed", mirror: true)
        if context.isCancelled {
            return GitError(
                code: .stalled, message: "fetch of \(context.url) was abandoned: no progress within the stall timeout",
                function: "git_remote_fetch", isRetryable: true)
        }
        if let problem = context.credentialProblem {
            return GitError(
                code: .authenticationFailed, message: context.redact("fetch of \(context.url) failed: \(problem)"),
                function: "git_remote_fetch", isRetryable: false)
        }
        if let problem = context.hostKeyProblem {
            return GitError(
                code: .untrustedHost, message: "fetch of \(context.url) failed: \(problem)",
                function: "git_remote_fetch", isRetryable: false)
        }
        return GitError(
            code: libgit2.code, message: context.redact(libgit2.message), function: libgit2.function,
            isRetryable: libgit2.isRetryable)
    }
}

/// Wraps a non-Sendable error as a Sendable cause by keeping its description.
struct GitErrorCause: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = String(describing: error) }
}
