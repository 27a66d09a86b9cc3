import Foundation
import GRDB

/// Mooring's state store: one SQLite database (`<state-dir>/state.sqlite`, WAL mode)
/// holding the source, revisions seen, deployments, replicas, rollouts, events and the
/// intent journal.
///
/// One `StateStore` owns the database connection(s) and runs the schema migrations when
/// it opens a file for writing. Every method is one transaction; use ``write(_:)`` to
/// group several writes atomically. The controller opens the file with ``init(path:now:)``;
/// `mooring status|history|events` open it with ``init(readOnlyPath:now:)`` and can read
/// while the controller writes (WAL readers never block the writer).
///
/// Methods block the calling thread for as long as SQLite takes (normally well under a
/// millisecond; at most the 5 s busy timeout if another process holds the write lock).
public final class StateStore: Sendable {
    /// The state file's name inside the state directory.
    public static let fileName = "state.sqlite"

    /// How long a connection waits for another process's lock before failing with
    /// ``StoreError/Code/busy``.
    public static let busyTimeout: TimeInterval = 5

    /// The state file's path, or `:memory:` for an in-memory store.
    public let location: String

    /// Whether this store was opened read-only (writes throw ``StoreError/Code/readOnly``).
    public let isReadOnly: Bool

    let writer: any DatabaseWriter
    let clock: @Sendable () -> Date

    /// The state file inside a state directory: `<directory>/state.sqlite`.
    public static func fileURL(inStateDirectory directory: URL) -> URL {
        directory.appendingPathComponent(fileName)
    }

    /// Opens (or creates) the state file at `path` for reading and writing, in WAL mode,
    /// creating its directory (`0700`) if needed and running any pending migrations.
    /// The file is created `0600` (SQLite gives its `-wal` and `-shm` files the same mode);
    /// an existing one must be a private regular file of this user's (see
    /// ``checkFiles(at:readOnly:)``).
    ///
    /// `now` stamps `createdAt`/`updatedAt`/event times; tests inject a fixed clock.
    /// Throws ``StoreError`` with code `openFailed`, `untrustedFile`, `schemaTooNew` or
    /// `migrationFailed`.
    public convenience init(path: URL, now: @escaping @Sendable () -> Date = { Date() }) throws {
        try Self.checkFiles(at: path, readOnly: false)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path.path, configuration: Self.configuration(readOnly: false))
        } catch {
            throw StoreError(
                .openFailed,
                "cannot open the state store at \(path.path); check that it is a Mooring state file and that the directory is writable",
                cause: error)
        }
        try self.init(writer: pool, location: path.path, readOnly: false, now: now)
    }

    /// Opens an existing state file read-only, for commands that only look
    /// (`status`, `history`, `events`) while a controller may be writing it.
    ///
    /// Throws ``StoreError`` with code `noState` if the file does not exist, `untrustedFile`
    /// if it (or its directory) is not a private file of this user's, `schemaTooOld`
    /// if the controller has not migrated it to this version yet, `schemaTooNew` if a newer
    /// Mooring wrote it.
    public convenience init(readOnlyPath path: URL, now: @escaping @Sendable () -> Date = { Date() }) throws {
        try Self.checkFiles(at: path, readOnly: true)
        let reader: any DatabaseWriter
        do {
            reader = try DatabasePool(path: path.path, configuration: Self.configuration(readOnly: true))
        } catch {
            throw StoreError(
                .openFailed,
                "cannot open the state store at \(path.path) for reading; check that it is a Mooring state file and readable",
                cause: error)
        }
        try self.init(writer: reader, location: path.path, readOnly: true, now: now)
    }

    /// A fresh store in memory, with the same configuration and schema as a file —
    /// for tests.
    public static func inMemory(now: @escaping @Sendable () -> Date = { Date() }) throws -> StateStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration(readOnly: false))
        } catch {
            throw StoreError(.openFailed, "cannot open an in-memory state store", cause: error)
        }
        return try StateStore(writer: queue, location: ":memory:", readOnly: false, now: now)
    }

    private init(
        writer: any DatabaseWriter, location: String, readOnly: Bool,
        now: @escaping @Sendable () -> Date
    ) throws {
        self.writer = writer
        self.location = location
        self.isReadOnly = readOnly
        self.clock = now
        let migrator = Self.migrator
        let (superseded, completed): (Bool, Bool)
        do {
            (superseded, completed) = try writer.read { db in
                (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db))
            }
        } catch {
            throw StoreError.wrap(error, doing: "opening \(location)")
        }
        if superseded {
            throw StoreError(
                .schemaTooNew,
                "the state store at \(location) was written by a newer Mooring; upgrade this mooring binary (or move the state directory aside)")
        }
        if readOnly {
            if !completed {
                throw StoreError(
                    .schemaTooOld,
                    "the state store at \(location) has an older schema; start `mooring run` of this version once to upgrade it")
            }
            return
        }
        do {
            try migrator.migrate(writer)
        } catch {
            throw StoreError(
                .migrationFailed,
                "cannot migrate the state store at \(location); move it aside and restart `mooring run` to rebuild state from Git",
                cause: error)
        }
    }

    static func configuration(readOnly: Bool) -> Configuration {
        var config = Configuration()
        config.label = "mooring.store"
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout)
        if !readOnly {
            // Keep the write-ahead log small (see StateStore+Checkpoint.swift).
            config.prepareDatabase { try StateStore.limitWAL($0) }
        }
        return config
    }

    /// Runs `body` in one read transaction (a consistent snapshot) and returns its result.
    ///
    /// Errors are rethrown as ``StoreError``.
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try read(doing: "reading", body)
    }

    /// Runs `body` in one write transaction: everything it writes is committed together,
    /// or nothing is if it throws.
    ///
    /// Errors are rethrown as ``StoreError``; a store opened read-only throws `readOnly`.
    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try write(doing: "writing", body)
    }

    /// The identifiers of the schema migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        let migrator = Self.migrator
        return try read(doing: "reading migrations") { try migrator.appliedMigrations($0.database) }
    }

    /// The SQLite journal mode of this database (`wal` for a file, `memory` in memory).
    public func journalMode() throws -> String {
        try read(doing: "reading the journal mode") {
            try String.fetchOne($0.database, sql: "PRAGMA journal_mode") ?? "unknown"
        }
    }

    /// The clock's time rounded to what a REAL column of Unix seconds holds, so that a
    /// stamped record compares equal to the same record read back.
    func storableNow() -> Date {
        Date(timeIntervalSince1970: clock().timeIntervalSince1970)
    }

    func read<T>(doing: String, _ body: (StoreTransaction) throws -> T) throws -> T {
        let now = storableNow()
        do {
            return try writer.read { db in try body(StoreTransaction(database: db, now: now)) }
        } catch {
            throw StoreError.wrap(error, doing: doing)
        }
    }

    func write<T>(doing: String, _ body: (StoreTransaction) throws -> T) throws -> T {
        guard !isReadOnly else {
            throw StoreError(
                .readOnly,
                "the state store at \(location) is open read-only; cannot write while \(doing) (only `mooring run` writes state)")
        }
        let now = storableNow()
        do {
            return try writer.write { db in try body(StoreTransaction(database: db, now: now)) }
        } catch {
            throw StoreError.wrap(error, doing: doing)
        }
    }
}

/// One open transaction on the state store, handed to ``StateStore/read(_:)`` and
/// ``StateStore/write(_:)`` closures. Its methods mirror the store's, but all run inside
/// the same transaction. Do not keep it past the closure.
public struct StoreTransaction {
    /// The GRDB connection, for queries the store does not offer (needs `import GRDB`).
    public let database: Database
    /// The time this transaction stamps on what it writes, read once when it started.
    public let now: Date
}
