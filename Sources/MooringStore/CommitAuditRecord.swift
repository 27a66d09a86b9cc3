import Foundation
import GRDB

/// Who made a commit the controller fetched, and who signed it: the audit facts a rollout
/// of that commit copies when it begins (table `commitAudit`, schema v3).
public struct CommitAuditRecord: Sendable, Codable, Equatable {
    /// The commit id (hex).
    public var commit: String
    /// `Name <email>` of the author.
    public var author: String
    /// `Name <email>` of the committer.
    public var committer: String
    /// The subject line.
    public var subject: String
    /// The pull request number the subject or a trailer names, if any.
    public var pullRequest: Int?
    /// `FINGERPRINT PRINCIPAL` of a verified signature; nil when commits are not verified.
    public var signer: String?

    public init(commit: String, author: String, committer: String, subject: String, pullRequest: Int? = nil, signer: String? = nil) {
        self.commit = commit
        self.author = author
        self.committer = committer
        self.subject = subject
        self.pullRequest = pullRequest
        self.signer = signer
    }
}

extension CommitAuditRecord: FetchableRecord, PersistableRecord {
    /// The table's name.
    public static let databaseTableName = "commitAudit"
}
