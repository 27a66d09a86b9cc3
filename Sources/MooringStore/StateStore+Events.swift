import Foundation
import GRDB

extension StoreTransaction {
    /// Appends an event stamped now and returns it. `reason` must be a CamelCase word
    /// (letters and digits, starting with a capital), or SQLite rejects it.
    @discardableResult
    public func appendEvent(
        _ type: EventType, reason: String, message: String, deployment: String? = nil
    ) throws -> EventRecord {
        var record = EventRecord(time: now, deployment: deployment, type: type, reason: reason, message: message)
        try record.insert(database)
        return record
    }

    /// Events, newest first, at most `limit`: about `deployment`, or all events (the
    /// controller's and every deployment's) when it is `nil`.
    public func events(of deployment: String? = nil, limit: Int = 100) throws -> [EventRecord] {
        var request = EventRecord.all()
        if let deployment { request = request.filter(Column("deployment") == deployment) }
        return try request.order(Column("id").desc).limit(limit).fetchAll(database)
    }
}

extension StateStore {
    /// Appends an event stamped now and returns it.
    @discardableResult
    public func appendEvent(
        _ type: EventType, reason: String, message: String, deployment: String? = nil
    ) throws -> EventRecord {
        try write(doing: "recording event \(reason)") {
            try $0.appendEvent(type, reason: reason, message: message, deployment: deployment)
        }
    }

    /// Events newest first, of one deployment or (with `nil`) all.
    public func events(of deployment: String? = nil, limit: Int = 100) throws -> [EventRecord] {
        try read(doing: "listing events") { try $0.events(of: deployment, limit: limit) }
    }
}
