import Foundation

/// Metadata of one commit, copied out of libgit2.
public struct CommitInfo: Sendable, Hashable {
    /// The commit's id.
    public let id: ObjectID
    /// Author name.
    public let author: String
    /// Author email.
    public let authorEmail: String
    /// Author time.
    public let time: Date
    /// The first paragraph of the message, on one line.
    public let subject: String
    /// The full message.
    public let message: String
}

/// The result of ``GitSource/update(previous:)``: the commit the tracked reference points
/// at now, and how it relates to the one the controller saw before.
public struct SourceUpdate: Sendable {
    /// The commit that is the desired state now.
    public let commit: CommitInfo
    /// The previous commit the caller passed in.
    public let previous: ObjectID?
    /// Set when the new commit does not descend from `previous` (a force-push or a moved
    /// tag rewrote history): an event-worthy fact, `rewritten from abc1234 to def5678`.
    public let rewrittenFrom: ObjectID?
    /// The branch the reference resolved to (for `.defaultBranch` and `.branch`).
    public let resolvedBranch: String?

    /// Whether the commit differs from `previous`.
    public var changed: Bool { previous != commit.id }

    /// A one-line description of a rewrite, e.g. `rewritten from abc1234 to def5678`.
    public var rewriteDescription: String? {
        rewrittenFrom.map { "rewritten from \($0.short) to \(commit.id.short)" }
    }
}

/// One file of a tree at a commit.
public struct RepositoryFile: Sendable, Hashable {
    /// What kind of entry this is.
    public enum Kind: Sendable, Hashable {
        case regular, executable, symlink
    }
    /// Repository-relative path, e.g. `manifests/team/a.yaml`.
    public let path: String
    /// The file's bytes (for a symlink, its target).
    public let contents: Data
    /// Regular, executable or symlink.
    public let kind: Kind
    /// The blob id.
    public let id: ObjectID

    /// Whether the entry is a symbolic link.
    public var isSymlink: Bool { kind == .symlink }
}
