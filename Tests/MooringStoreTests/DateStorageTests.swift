import Foundation
import GRDB
import MooringStore
import Testing

/// Every table stores dates as Unix seconds with fractions, so other tools (and `sqlite3`)
/// read them without knowing GRDB's defaults.
struct DateStorageTests {
    @Test func datesAreStoredAsUnixSecondsInEveryTable() throws {
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        try store.write { tx in
            _ = try tx.putSource(SourceRecord(repo: "/r", branch: "main", path: "manifests", lastFetchAt: clock.now))
            _ = try tx.upsertDeployment(sampleDeployment())
            _ = try tx.insertReplica(sampleReplica())
            _ = try tx.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
            _ = try tx.appendEvent(.normal, reason: "Started", message: "m", deployment: "iris")
            _ = try tx.beginIntent(action: .startReplica, deployment: "iris")
        }
        let columns = [("source", "lastFetchAt"), ("deployment", "createdAt"), ("replica", "startedAt"),
                       ("rollout", "startedAt"), ("event", "time"), ("intent", "createdAt")]
        for (table, column) in columns {
            let row = try #require(try store.read {
                try Row.fetchOne($0.database, sql: "SELECT typeof(\(column)) AS kind, \(column) AS value FROM \(table)")
            })
            let kind: String = row["kind"]
            #expect(kind == "real" || kind == "integer", "\(table).\(column) is stored as \(kind)")
            let value: Double = row["value"]
            #expect(value >= 1_700_000_000 && value < 1_800_000_000, "\(table).\(column) = \(value)")
        }
    }
}
