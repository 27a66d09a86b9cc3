import CLibGit2
import Foundation

extension GitError {
    /// Builds an error from a failed libgit2 call. Reads `git_error_last` right away, so it
    /// must be called on the thread of the failing call, before anything else runs there.
    ///
    /// With `mirror`, errors of the object database, references or the repository itself
    /// are classified as `corruptMirror`: Mooring owns the mirror, so it can re-clone it.
    static func libgit2(_ result: Int32, function: String, context: String, mirror: Bool = false) -> GitError {
        var detail = "libgit2 error \(result)"
        var klass: Int32 = -1
        if let last = git_error_last(), let text = last.pointee.message {
            detail = String(cString: text)
            klass = last.pointee.klass
        }
        var (code, retryable) = classify(result: result, klass: klass, detail: detail)
        let local: Set<UInt32> = [
            GIT_ERROR_ODB.rawValue, GIT_ERROR_ZLIB.rawValue, GIT_ERROR_OBJECT.rawValue, GIT_ERROR_REPOSITORY.rawValue,
            GIT_ERROR_REFERENCE.rawValue, GIT_ERROR_INDEXER.rawValue,
        ]
        if mirror, klass >= 0, local.contains(UInt32(klass)), code == .other || code == .notFound && !isMissingRepository(detail) {
            (code, retryable) = (.corruptMirror, true)
        }
        let advice = advice(for: code)
        let message = "\(context): \(detail)" + (advice.isEmpty ? "" : ". \(advice)")
        return GitError(code: code, message: message, function: function, isRetryable: retryable)
    }

    private static func classify(result: Int32, klass: Int32, detail: String) -> (Code, Bool) {
        let lower = detail.lowercased()
        if lower.contains("no space left") { return (.diskFull, true) }
        if result == GIT_EAUTH.rawValue { return (.authenticationFailed, false) }
        if result == GIT_ECERTIFICATE.rawValue { return (.untrustedHost, false) }
        if lower.contains("status code: 401") || lower.contains("authentication") && lower.contains("required") {
            return (.authenticationFailed, false)
        }
        if isMissingRepository(detail) { return (.notFound, false) }
        let network: Set<UInt32> = [GIT_ERROR_NET.rawValue, GIT_ERROR_SSL.rawValue, GIT_ERROR_SSH.rawValue, GIT_ERROR_HTTP.rawValue]
        if klass >= 0, network.contains(UInt32(klass)) { return (.unreachable, true) }
        if lower.contains("failed to resolve address") || lower.contains("failed to connect") || lower.contains("connection refused") {
            return (.unreachable, true)
        }
        let corrupt: Set<UInt32> = [GIT_ERROR_ODB.rawValue, GIT_ERROR_ZLIB.rawValue, GIT_ERROR_INDEXER.rawValue]
        if klass >= 0, corrupt.contains(UInt32(klass)), result != GIT_ENOTFOUND.rawValue { return (.corruptMirror, true) }
        if result == GIT_ENOTFOUND.rawValue { return (.notFound, false) }
        if result == GIT_ELOCKED.rawValue { return (.other, true) }
        return (.other, false)
    }

    /// Whether libgit2's message says the remote repository itself does not exist.
    private static func isMissingRepository(_ detail: String) -> Bool {
        let lower = detail.lowercased()
        return lower.contains("status code: 404") || lower.contains("could not find repository")
            || lower.contains("repository not found") || lower.contains("does not appear to be a git repository")
            || lower.contains("failed to resolve path")
    }

    private static func advice(for code: Code) -> String {
        switch code {
        case .unreachable: "Check the URL and the network; the next fetch retries"
        case .authenticationFailed: "Check the credential configured for this repository"
        case .untrustedHost: "Add the host's key to the configured known_hosts file"
        case .diskFull: "Free disk space under the state directory"
        default: ""
        }
    }

    /// An error for a failed POSIX call on `path`, with `errno` already captured.
    static func posix(_ function: String, path: String, errno code: Int32, doing: String) -> GitError {
        let reason = String(cString: strerror(code))
        if code == ENOSPC || code == EDQUOT {
            return GitError(
                code: .diskFull, message: "\(doing) `\(path)`: \(reason). Free disk space under the state directory",
                function: function, isRetryable: true)
        }
        return GitError(code: .other, message: "\(doing) `\(path)`: \(reason)", function: function, isRetryable: false)
    }
}
