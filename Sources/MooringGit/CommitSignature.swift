import CLibGit2
import Foundation

/// A commit's signature and the bytes it signs, copied out of libgit2
/// (`git_commit_extract_signature`). libgit2 extracts but does not verify: see
/// ``CommitSignatureVerifier``.
public struct CommitSignature: Sendable, Hashable {
    /// The signature block (`-----BEGIN SSH SIGNATURE-----` or `-----BEGIN PGP SIGNATURE-----`).
    public var signature: Data
    /// The commit object without its `gpgsig` header: what was signed.
    public var signedData: Data

    /// Whether the signature is an SSH one.
    public var isSSH: Bool { signature.starts(with: Data("-----BEGIN SSH SIGNATURE-----".utf8)) }
}

extension Repository {
    /// The signature of commit `id`, or nil when the commit is not signed.
    func signature(of id: ObjectID) throws -> CommitSignature? {
        var oid = id.oid
        var signature = git_buf()
        var signed = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signed)
        }
        let result = git_commit_extract_signature(&signature, &signed, pointer, &oid, nil)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        guard result >= 0 else {
            throw GitError.libgit2(result, function: "git_commit_extract_signature", context: "cannot read the signature of commit \(id.short)")
        }
        func copy(_ buffer: git_buf) -> Data {
            guard let base = buffer.ptr else { return Data() }
            return Data(bytes: base, count: buffer.size)
        }
        return CommitSignature(signature: copy(signature), signedData: copy(signed))
    }
}

extension GitSource {
    /// The signature of `commit` (already fetched), or nil when it is not signed.
    public func signature(of commit: ObjectID) throws -> CommitSignature? {
        try openRepository().signature(of: commit)
    }
}
