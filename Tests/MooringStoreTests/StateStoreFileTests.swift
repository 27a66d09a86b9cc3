import Foundation
import GRDB
import MooringStore
import MooringTesting
import Testing

/// The store on a real file: WAL, concurrent readers, reopening, crash recovery.
@Suite struct StateStoreFileTests {
    @Test func createsItsDirectoryAndUsesWAL() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = StateStore.fileURL(inStateDirectory: dir.appending("nested/.mooring"))
        let store = try StateStore(path: url)
        #expect(FileManager.default.fileExists(atPath: url.path))
        #expect(url.lastPathComponent == "state.sqlite")
        #expect(try store.journalMode() == "wal")
        #expect(try store.appliedMigrations() == StateStore.migrationIdentifiers)
    }

    @Test func readOnlyConnectionSeesCommittedWrites() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        let controller = try StateStore(path: url)
        let cli = try StateStore(readOnlyPath: url)
        #expect(cli.isReadOnly)
        #expect(try cli.deployments().isEmpty)

        try controller.upsertDeployment(sampleDeployment())
        #expect(try cli.deployment(named: "iris")?.health == .progressing)

        try controller.updateDeployment(named: "iris") {
            $0.health = .healthy
            $0.sync = .synced
        }
        try controller.appendEvent(.normal, reason: "RolloutSucceeded", message: "iris is serving", deployment: "iris")
        #expect(try cli.deployment(named: "iris")?.health == .healthy)
        #expect(try cli.events(of: "iris").map(\.reason) == ["RolloutSucceeded"])
    }

    @Test func readersAreNotBlockedByAWriteInProgressAndSeeOnlyCommittedState() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        let controller = try StateStore(path: url)
        let cli = try StateStore(readOnlyPath: url)
        try controller.upsertDeployment(sampleDeployment())
        let seenDuringWrite = try controller.write { tx in
            try tx.updateDeployment(named: "iris") { $0.health = .degraded }
            try tx.upsertDeployment(sampleDeployment("other"))
            return try cli.deployments()
        }
        #expect(seenDuringWrite.map(\.name) == ["iris"])
        #expect(seenDuringWrite.first?.health == .progressing)
        #expect(try cli.deployments().map(\.health) == [.degraded, .progressing])
    }

    @Test func readOnlyOpenWorksAfterTheControllerClosed() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        do {
            let controller = try StateStore(path: url)
            try controller.upsertDeployment(sampleDeployment())
        }
        let cli = try StateStore(readOnlyPath: url)
        #expect(try cli.deployments().map(\.name) == ["iris"])
    }

    @Test func readOnlyStoreRefusesWrites() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        _ = try StateStore(path: url)
        let cli = try StateStore(readOnlyPath: url)
        let error = try #require(throws: StoreError.self) {
            try cli.upsertDeployment(sampleDeployment())
        }
        #expect(error.code == .readOnly)
        #expect(try cli.deployments().isEmpty)
    }

    @Test func readOnlyOpenOfAMissingFileSaysWhere() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("elsewhere/state.sqlite")
        let error = try #require(throws: StoreError.self) {
            _ = try StateStore(readOnlyPath: url)
        }
        #expect(error.code == .noState)
        #expect(error.message == "no state at \(url.path): is `mooring run` using another --state-dir?")
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test func reopeningKeepsDataAndDoesNotRerunMigrations() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        let stored: DeploymentRecord
        do {
            let store = try StateStore(path: url)
            stored = try store.upsertDeployment(sampleDeployment())
            try store.insertReplica(sampleReplica())
        }
        // A re-run "v1" would fail on CREATE TABLE; the row would be gone if it erased.
        let reopened = try StateStore(path: url)
        #expect(try reopened.appliedMigrations() == StateStore.migrationIdentifiers)
        #expect(try reopened.deployment(named: "iris") == stored)
        #expect(try reopened.replicas(of: "iris").count == 1)
        let migrationRows = try reopened.read {
            try Int.fetchOne($0.database, sql: "SELECT count(*) FROM grdb_migrations")
        }
        #expect(migrationRows == StateStore.migrationIdentifiers.count)
    }

    @Test func intentsLeftOpenAreReturnedAfterACrash() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        let (started, stopped): (Int64, Int64)
        do {
            let store = try StateStore(path: url)
            let done = try store.beginIntent(action: .startReplica, deployment: "iris", payload: #"{"replica":0}"#)
            try store.completeIntent(done, outcome: "Succeeded")
            started = try store.beginIntent(action: .startReplica, deployment: "iris", payload: #"{"replica":1}"#)
            stopped = try store.beginIntent(action: .stopReplica, deployment: "iris", payload: #"{"replica":0}"#)
            // The controller dies here: the store is dropped, nothing is completed.
        }
        let recovered = try StateStore(path: url)
        let open = try recovered.openIntents()
        #expect(open.map(\.id) == [started, stopped])
        #expect(open.map(\.action) == [.startReplica, .stopReplica])
        #expect(open.map(\.payload) == [#"{"replica":1}"#, #"{"replica":0}"#])
        #expect(open.allSatisfy { $0.isOpen })

        try recovered.completeIntent(started, outcome: "Abandoned")
        #expect(try recovered.openIntents().map(\.id) == [stopped])
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        do {
            let store = try StateStore(path: url)
            try store.write {
                try $0.database.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
            }
        }
        let writerError = try #require(throws: StoreError.self) { _ = try StateStore(path: url) }
        #expect(writerError.code == .schemaTooNew)
        let readerError = try #require(throws: StoreError.self) { _ = try StateStore(readOnlyPath: url) }
        #expect(readerError.code == .schemaTooNew)
    }

    @Test func aFileThatIsNotADatabaseIsReported() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = try dir.write("state.sqlite", String(repeating: "not a database\n", count: 100))
        let error = try #require(throws: StoreError.self) { _ = try StateStore(path: url) }
        #expect([StoreError.Code.openFailed, .corrupt].contains(error.code))
    }
}
