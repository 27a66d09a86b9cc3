import Foundation
import MooringStore
import MooringTesting
import Testing

/// The write-ahead log beside the state file stays small, and a checkpoint empties it.
@Suite struct CheckpointTests {
    /// About 6 MiB of events in 60 transactions.
    static func writeALot(_ store: StateStore) throws {
        let message = String(repeating: "x", count: 2_000)
        for batch in 0..<60 {
            try store.write { tx in
                for index in 0..<50 {
                    try tx.appendEvent(.normal, reason: "Filler", message: "\(batch)-\(index) \(message)")
                }
            }
        }
    }

    static func size(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
    }

    @Test func theLogIsEmptyAfterACheckpointAndNothingIsLost() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        let wal = URL(fileURLWithPath: url.path + "-wal")
        let store = try StateStore(path: url)
        try Self.writeALot(store)
        #expect(try Self.size(wal) > 0)

        try store.checkpoint()

        #expect(try Self.size(wal) == 0)
        #expect(try store.events(limit: 5_000).count == 3_000)
        let reader = try StateStore(readOnlyPath: url)
        #expect(try reader.events(limit: 5_000).count == 3_000)
    }

    @Test func theLogStaysSmallWithoutACheckpoint() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        let store = try StateStore(path: url)
        try Self.writeALot(store)
        // SQLite's defaults would leave a 4 MiB log after this much writing.
        let walSize = try Self.size(URL(fileURLWithPath: url.path + "-wal"))
        #expect(walSize <= 2 * StateStore.walSizeLimitBytes, "the log is \(walSize) bytes")
    }

    @Test func onlyAWritableFileStoreCheckpoints() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        _ = try StateStore(path: url)
        let error = #expect(throws: StoreError.self) { try StateStore(readOnlyPath: url).checkpoint() }
        #expect(error?.code == .readOnly)
        try StateStore.inMemory().checkpoint()  // no log: nothing to do
    }
}
