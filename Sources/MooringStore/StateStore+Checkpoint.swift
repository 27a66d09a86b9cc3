import Foundation
import GRDB

extension StateStore {
    /// Pages in the WAL after which a commit checkpoints it into the database
    /// (`PRAGMA wal_autocheckpoint`; SQLite's default is 1000, about 4 MiB).
    public static let walAutocheckpointPages = 256

    /// The size the WAL file is cut back to whenever SQLite restarts it after a checkpoint
    /// (`PRAGMA journal_size_limit`; by default SQLite never shrinks it).
    public static let walSizeLimitBytes = 1024 * 1024

    /// Copies every change in the write-ahead log into the database and truncates the
    /// `-wal` file to zero bytes (`PRAGMA wal_checkpoint(TRUNCATE)`).
    ///
    /// Between calls, SQLite checkpoints by itself every ``walAutocheckpointPages`` pages
    /// and keeps the file under about ``walSizeLimitBytes``; call this when the controller
    /// is idle to leave no log at all. It waits for readers in another process (`mooring
    /// status`) for at most the busy timeout and then throws ``StoreError/Code/busy``:
    /// nothing is lost, try again later. A read-only store throws `readOnly`; an in-memory
    /// store has no log and returns at once.
    public func checkpoint() throws {
        guard !isReadOnly else {
            throw StoreError(
                .readOnly,
                "the state store at \(location) is open read-only; only `mooring run` checkpoints its log")
        }
        do {
            try writer.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
        } catch {
            throw StoreError.wrap(error, doing: "checkpointing the write-ahead log")
        }
    }

    /// Applies the WAL limits above to a connection that may write.
    static func limitWAL(_ db: Database) throws {
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(walAutocheckpointPages)")
        try db.execute(sql: "PRAGMA journal_size_limit = \(walSizeLimitBytes)")
    }
}
