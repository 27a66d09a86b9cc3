import Foundation
import MooringStore
import Testing
@testable import MooringController

/// What `mooring sync` prints after its fetch: one row per situation.
@Suite struct SyncAnswerTests {
    typealias Entry = SyncChanges.Snapshot.Entry

    static let commit = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"

    static func source(error: String? = nil) -> SourceRecord {
        var record = SourceRecord(repo: "/srv/models.git", branch: "main", path: "manifests")
        record.lastFetchedCommit = commit
        record.lastFetchedSubject = "Merge pull request #7 from bump"
        record.lastFetchAt = Date(timeIntervalSince1970: 100)
        if let error {
            record.lastError = error
            record.lastErrorAt = Date(timeIntervalSince1970: 101)
        }
        return record
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var before: [String: Entry]
        var after: [String: Entry]
        var rollingOut: [String] = []
        var error: String?
        var says: String
        var testDescription: String { label }
    }

    static let iris = Entry(desiredHash: "h1", removing: false, rejection: nil)

    static let rows: [Row] = [
        Row(label: "a new spec", before: ["iris": iris], after: ["iris": Entry(desiredHash: "h2", removing: false)],
            says: #"fetched 1a2b3c4 "Merge pull request #7 from bump": iris rolling out"#),
        Row(label: "added and removed", before: ["old": iris], after: ["new": iris],
            says: "new added, old removed"),
        Row(label: "removal under way", before: ["iris": iris], after: ["iris": Entry(desiredHash: "h1", removing: true)],
            says: "iris removed"),
        Row(label: "held by a rejected commit", before: ["iris": iris],
            after: ["iris": Entry(desiredHash: "h1", removing: false, rejection: "commit 1a2b3c4 rejected")],
            says: "iris held by the rejected commit"),
        Row(label: "nothing", before: ["iris": iris], after: ["iris": iris], says: "no deployment changed"),
        Row(label: "found by an earlier poll", before: ["iris": iris], after: ["iris": iris], rollingOut: ["iris"],
            says: "nothing new since the last poll; iris rolling out"),
        Row(label: "fetch failed", before: ["iris": iris], after: ["iris": iris], error: "fetch failed: connection refused",
            says: "error: fetch failed: connection refused; nothing changed on the host"),
    ]

    @Test(arguments: rows)
    func answers(_ row: Row) {
        let changes = SyncChanges(before: .init(entries: row.before), after: .init(entries: row.after))
        let answer = Controller.syncAnswer(source: Self.source(error: row.error), changes: changes, rollingOut: row.rollingOut)
        #expect(answer.contains(row.says), "\(answer)")
    }
}
