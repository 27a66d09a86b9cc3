import Foundation
import GRDB

extension StoreTransaction {
    /// Records a commit seen at the branch tip with its verdict. Seeing it again replaces
    /// the verdict and diagnostics but keeps the first `seenAt`.
    @discardableResult
    public func recordRevision(_ revision: RevisionRecord) throws -> RevisionRecord {
        var record = revision
        if let existing = try RevisionRecord.fetchOne(database, key: revision.commit) {
            record.seenAt = existing.seenAt
        }
        try record.save(database)
        return try self.revision(record.commit) ?? record
    }

    /// The record of `commit`, if it was seen.
    public func revision(_ commit: String) throws -> RevisionRecord? {
        try RevisionRecord.fetchOne(database, key: commit)
    }

    /// The revisions seen, most recently seen first, at most `limit`.
    public func revisions(limit: Int = 50) throws -> [RevisionRecord] {
        try RevisionRecord
            .order(Column("seenAt").desc, Column("commit"))
            .limit(limit)
            .fetchAll(database)
    }
}

extension StateStore {
    /// Records a commit seen at the branch tip with its verdict (see
    /// ``StoreTransaction/recordRevision(_:)``).
    @discardableResult
    public func recordRevision(_ revision: RevisionRecord) throws -> RevisionRecord {
        try write(doing: "recording revision \(revision.commit)") { try $0.recordRevision(revision) }
    }

    /// The record of `commit`, if it was seen.
    public func revision(_ commit: String) throws -> RevisionRecord? {
        try read(doing: "reading revision \(commit)") { try $0.revision(commit) }
    }

    /// The revisions seen, most recently seen first, at most `limit`.
    public func revisions(limit: Int = 50) throws -> [RevisionRecord] {
        try read(doing: "listing revisions") { try $0.revisions(limit: limit) }
    }
}
