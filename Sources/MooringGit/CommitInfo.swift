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
    /// Committer name (who made the commit object: for a merged pull request, often the
    /// Git host).
    public var committer: String = ""
    /// Committer email.
    public var committerEmail: String = ""
}
