import Foundation
import GRDB

/// An error from the state store, with what to do about it.
///
/// `code` says what kind of failure it is (match on it), `message` tells the operator
/// what happened and what to do next, and `cause` holds the underlying SQLite/GRDB error
/// when there is one.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure a ``StoreError`` is. A struct over a private enum, so new
    /// codes can be added without breaking callers that switch over the known ones.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case noState
            case openFailed
            case untrustedFile
            case schemaTooOld
            case schemaTooNew
            case migrationFailed
            case readOnly
            case notFound
            case conflict
            case invalidArgument
            case constraintViolation
            case busy
            case corrupt
            case invalidData
            case database
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The state file does not exist (read-only open).
        public static let noState = Code(.noState)
        /// The database file could not be opened or created.
        public static let openFailed = Code(.openFailed)
        /// The state file is a symbolic link, belongs to another user, can be written by
        /// others or has several names: it is not opened (see `docs/security.md`).
        public static let untrustedFile = Code(.untrustedFile)
        /// A read-only open found a schema that a newer controller has not migrated yet.
        public static let schemaTooOld = Code(.schemaTooOld)
        /// The database was migrated by a newer Mooring than this one.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// Running the schema migrations failed.
        public static let migrationFailed = Code(.migrationFailed)
        /// A write was attempted on a store opened read-only.
        public static let readOnly = Code(.readOnly)
        /// The row an update or completion names does not exist.
        public static let notFound = Code(.notFound)
        /// The row exists but is in a state that forbids the change (e.g. finishing a
        /// rollout twice).
        public static let conflict = Code(.conflict)
        /// The caller passed a value the operation cannot take (e.g. finishing a rollout
        /// with outcome `InProgress`).
        public static let invalidArgument = Code(.invalidArgument)
        /// SQLite rejected a value: a CHECK, NOT NULL, UNIQUE or foreign-key constraint.
        public static let constraintViolation = Code(.constraintViolation)
        /// Another connection held the database lock past the busy timeout.
        public static let busy = Code(.busy)
        /// The file is not a database or is damaged.
        public static let corrupt = Code(.corrupt)
        /// A stored JSON column could not be decoded (or a value could not be encoded).
        public static let invalidData = Code(.invalidData)
        /// Any other SQLite failure.
        public static let database = Code(.database)

        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What happened and what the operator should do next.
    public let message: String
    /// The underlying error, when there is one.
    public let cause: (any Error)?

    /// Creates an error; `cause` is the lower-level error being wrapped, if any.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message) (\(cause))"
    }
}

extension StoreError {
    /// Wraps any error thrown while using the database into a `StoreError`, keeping
    /// store errors as they are. `doing` completes "while …" in the message.
    static func wrap(_ error: any Error, doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let dbError = error as? DatabaseError else {
            return StoreError(.database, "state store failed while \(doing)", cause: error)
        }
        let detail = dbError.message ?? "\(dbError.resultCode)"
        switch dbError.resultCode {
        case .SQLITE_CONSTRAINT:
            return StoreError(
                .constraintViolation,
                "state store rejected a value while \(doing): \(detail); this is a bug in the caller, please report it",
                cause: dbError)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(
                .busy,
                "state store stayed locked by another process while \(doing); retry, and check that only one `mooring run` uses this --state-dir",
                cause: dbError)
        case .SQLITE_READONLY:
            return StoreError(
                .readOnly, "state store is read-only while \(doing): \(detail)", cause: dbError)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(
                .corrupt,
                "state store file is damaged or not a database while \(doing): \(detail); move it aside and restart `mooring run` to rebuild state from Git",
                cause: dbError)
        default:
            return StoreError(.database, "state store failed while \(doing): \(detail)", cause: dbError)
        }
    }
}
