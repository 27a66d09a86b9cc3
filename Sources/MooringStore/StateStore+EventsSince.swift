import Foundation
import GRDB

extension StoreTransaction {
    /// Events after `since` (exclusive), newest first, at most `limit`: about
    /// `deployment`, or all when it is `nil`. `GET /api/v1/events?since=` reads these.
    public func events(of deployment: String?, since: Date, limit: Int) throws -> [EventRecord] {
        var request = EventRecord.filter(Column("time") > since.timeIntervalSince1970)
        if let deployment { request = request.filter(Column("deployment") == deployment) }
        return try request.order(Column("id").desc).limit(limit).fetchAll(database)
    }
}
