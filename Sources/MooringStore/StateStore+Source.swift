import Foundation
import GRDB

extension StoreTransaction {
    /// The source record, or `nil` before the controller first wrote it.
    public func source() throws -> SourceRecord? {
        try SourceRecord.fetchOne(database, key: 1)
    }

    /// Writes the source record (insert or replace), stamping `updatedAt`, and returns
    /// what was stored.
    @discardableResult
    public func putSource(_ source: SourceRecord) throws -> SourceRecord {
        var record = source
        record.updatedAt = now
        try record.save(database)
        return try SourceRecord.fetchOne(database, key: 1) ?? record
    }

    /// Changes the stored source record in place, stamping `updatedAt`, and returns it.
    /// Throws `notFound` if no source was written yet.
    @discardableResult
    public func updateSource(_ change: (inout SourceRecord) throws -> Void) throws -> SourceRecord {
        guard var record = try source() else {
            throw StoreError(.notFound, "no source recorded yet; the controller writes it when it starts")
        }
        try change(&record)
        return try putSource(record)
    }
}

extension StateStore {
    /// The source record, or `nil` before the controller first wrote it.
    public func source() throws -> SourceRecord? {
        try read(doing: "reading the source") { try $0.source() }
    }

    /// Writes the source record (insert or replace), stamping `updatedAt`.
    @discardableResult
    public func putSource(_ source: SourceRecord) throws -> SourceRecord {
        try write(doing: "writing the source") { try $0.putSource(source) }
    }

    /// Changes the stored source record in one transaction; throws `notFound` if none.
    @discardableResult
    public func updateSource(_ change: (inout SourceRecord) throws -> Void) throws -> SourceRecord {
        try write(doing: "updating the source") { try $0.updateSource(change) }
    }
}
