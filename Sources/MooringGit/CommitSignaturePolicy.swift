import Foundation

/// Which signatures the controller requires on the commit it applies
/// (`policy.verifyCommits` in the host configuration). Checked before any manifest of the
/// commit is read; see ``CommitSignatureVerifier``.
public struct CommitSignaturePolicy: Sendable, Hashable {
    /// How signatures are checked, and against what.
    public enum Mode: Sendable, Hashable {
        /// SSH signatures (`gpg.format=ssh`), checked with `ssh-keygen -Y verify` against an
        /// `allowed_signers` file (re-read at every check, so rotating it needs no restart).
        case ssh(allowedSigners: String)
        /// OpenPGP signatures, checked with `gpgv` against a keyring file (re-read at every
        /// check).
        case gpg(keyring: String)
    }

    /// Which commits must be signed.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        /// The tip of the tracked ref (a merge commit from a Git host: the merge commit).
        case tip
    }

    public var mode: Mode
    public var scope: Scope

    public init(mode: Mode, scope: Scope = .tip) {
        self.mode = mode
        self.scope = scope
    }
}
