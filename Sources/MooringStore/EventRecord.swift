import Foundation
import GRDB

/// Something that happened, as `mooring events` lists it (Kubernetes-style: a type, a
/// CamelCase reason and a message). Events outlive the deployment they are about.
public struct EventRecord: Sendable, Codable, Equatable {
    /// Row id, assigned on insert; orders events.
    public var id: Int64?
    /// When it happened.
    public var time: Date
    /// The deployment it is about, or `nil` for the controller or the source.
    public var deployment: String?
    /// `Normal` or `Warning`.
    public var type: EventType
    /// A CamelCase word (`RolloutSucceeded`, `CommitRejected`), letters and digits only.
    public var reason: String
    /// What happened, for a person.
    public var message: String

    /// Creates an event record (`id` is assigned on insert).
    public init(
        id: Int64? = nil, time: Date, deployment: String? = nil, type: EventType,
        reason: String, message: String
    ) {
        self.id = id
        self.time = time
        self.deployment = deployment
        self.type = type
        self.reason = reason
        self.message = message
    }
}

extension EventRecord: FetchableRecord, MutablePersistableRecord, UnixTimeDates {
    /// The table's name.
    public static let databaseTableName = "event"
    /// Dates are stored as Unix seconds.
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .timeIntervalSince1970
    }
    /// Dates are stored as Unix seconds.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .timeIntervalSince1970
    }
    /// Takes the row id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
