import Foundation
import GRDB

extension StoreTransaction {
    /// Writes an intent for `action` before it is taken and returns its id; complete it
    /// with ``completeIntent(_:outcome:)`` once the action is done. `payload` is JSON text.
    @discardableResult
    public func beginIntent(action: IntentAction, deployment: String? = nil, payload: String = "{}") throws -> Int64 {
        var record = IntentRecord(deployment: deployment, action: action, payload: payload, createdAt: now)
        try record.insert(database)
        guard let id = record.id else {
            throw StoreError(.database, "SQLite did not assign an id to intent \(action)")
        }
        return id
    }

    /// Writes an intent whose payload is `payload` encoded as JSON (sorted keys).
    @discardableResult
    public func beginIntent<Payload: Encodable>(
        action: IntentAction, deployment: String? = nil, payload: Payload
    ) throws -> Int64 {
        let text = try StoreJSON.encode(payload, what: "payload of intent \(action)")
        return try beginIntent(action: action, deployment: deployment, payload: text)
    }

    /// Marks intent `id` completed now with `outcome`. Throws `notFound` for an unknown id
    /// and `conflict` if it was already completed.
    public func completeIntent(_ id: Int64, outcome: String) throws {
        guard var record = try IntentRecord.fetchOne(database, key: id) else {
            throw StoreError(.notFound, "no intent \(id) in the state store")
        }
        guard record.isOpen else {
            throw StoreError(
                .conflict,
                "intent \(id) (\(record.action)) was already completed as \(record.outcome ?? "?")")
        }
        record.completedAt = now
        record.outcome = outcome
        try record.update(database)
    }

    /// The intent with row id `id`, if there is one.
    public func intent(id: Int64) throws -> IntentRecord? {
        try IntentRecord.fetchOne(database, key: id)
    }

    /// Intents written but never completed, oldest first: what a restarted controller
    /// must recover.
    public func openIntents() throws -> [IntentRecord] {
        try IntentRecord.filter(Column("completedAt") == nil).order(Column("id")).fetchAll(database)
    }
}

extension StateStore {
    /// Writes an intent before its action is taken and returns its id.
    @discardableResult
    public func beginIntent(action: IntentAction, deployment: String? = nil, payload: String = "{}") throws -> Int64 {
        try write(doing: "recording intent \(action)") {
            try $0.beginIntent(action: action, deployment: deployment, payload: payload)
        }
    }

    /// Writes an intent whose payload is `payload` encoded as JSON.
    @discardableResult
    public func beginIntent<Payload: Encodable>(
        action: IntentAction, deployment: String? = nil, payload: Payload
    ) throws -> Int64 {
        try write(doing: "recording intent \(action)") {
            try $0.beginIntent(action: action, deployment: deployment, payload: payload)
        }
    }

    /// Marks an intent completed with `outcome`.
    public func completeIntent(_ id: Int64, outcome: String) throws {
        try write(doing: "completing intent \(id)") { try $0.completeIntent(id, outcome: outcome) }
    }

    /// The intent with row id `id`, if there is one.
    public func intent(id: Int64) throws -> IntentRecord? {
        try read(doing: "reading intent \(id)") { try $0.intent(id: id) }
    }

    /// Intents never completed, oldest first.
    public func openIntents() throws -> [IntentRecord] {
        try read(doing: "listing open intents") { try $0.openIntents() }
    }
}
