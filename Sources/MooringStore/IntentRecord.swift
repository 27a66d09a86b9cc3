import Foundation
import GRDB

/// One message to the controller: the request queue that commands (`mooring sync --retry`,
/// `suspend`, `resume`) write and the controller — the only writer of deployment records —
/// consumes and completes. An open intent is one the controller has not handled yet
/// (see ``StateStore/openIntents()``).
public struct IntentRecord: Sendable, Codable, Equatable {
    /// Row id, assigned on insert.
    public var id: Int64?
    /// The deployment the action is for, if any.
    public var deployment: String?
    /// What is asked of the controller (`Sync`, `Retry`, `Suspend`, `Resume`).
    public var action: IntentAction
    /// What the action needs to be redone or undone, as JSON text (`{}` by default).
    public var payload: String
    /// When the intent was written.
    public var createdAt: Date
    /// When it was completed (`nil` while open).
    public var completedAt: Date?
    /// How it ended (`Succeeded`, `Failed: …`, `Abandoned`, …), set with `completedAt`.
    public var outcome: String?

    /// Creates an intent record (`id` is assigned on insert).
    public init(
        id: Int64? = nil, deployment: String? = nil, action: IntentAction, payload: String = "{}",
        createdAt: Date, completedAt: Date? = nil, outcome: String? = nil
    ) {
        self.id = id
        self.deployment = deployment
        self.action = action
        self.payload = payload
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.outcome = outcome
    }

    /// Whether the intent is still open (never completed).
    public var isOpen: Bool { completedAt == nil }

    /// The payload decoded as `type`.
    public func decodedPayload<Payload: Decodable>(as type: Payload.Type) throws -> Payload {
        try StoreJSON.decode(type, from: payload, what: "payload of intent \(id.map(String.init) ?? "?") (\(action))")
    }
}

extension IntentRecord: FetchableRecord, MutablePersistableRecord, UnixTimeDates {
    /// The table's name.
    public static let databaseTableName = "intent"
    /// Takes the row id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
