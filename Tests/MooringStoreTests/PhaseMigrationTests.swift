import Foundation
import GRDB
@testable import MooringStore
import MooringStatus
import MooringTesting
import Testing

/// Migration "v4" makes every rollout phase storable, in a new store and in one written
/// by an older controller (whose rows survive the migration unchanged).
@Suite struct PhaseMigrationTests {
    @Test(arguments: RolloutPhase.allCases)
    func everyPhaseIsStorable(_ phase: RolloutPhase) throws {
        let dir = try TemporaryDirectory(prefix: "mooring-phases")
        defer { dir.remove() }
        let store = try StateStore(path: dir.appending("state.sqlite"))
        try store.upsertDeployment(sampleDeployment())
        try store.write { context in
            try context.database.execute(sql: "UPDATE deployment SET rolloutPhase = ?", arguments: [phase.rawValue])
            try context.database.execute(sql: """
                INSERT INTO rollout (deployment, revision, specHash, strategy, phase, startedAt)
                VALUES ('iris', ?, 'h1', 'Surge', ?, 0)
                """, arguments: [commitA, phase.rawValue])
        }
        #expect(try store.deployment(named: "iris")?.rolloutPhase == phase)
    }

    @Test func anUnknownPhaseIsStillRefused() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-phases")
        defer { dir.remove() }
        let store = try StateStore(path: dir.appending("state.sqlite"))
        try store.upsertDeployment(sampleDeployment())
        #expect {
            try store.write { try $0.database.execute(sql: "UPDATE deployment SET rolloutPhase = 'Warming'") }
        } throws: { "\($0)".contains("deployment_rollout_phase_word") }
    }

    @Test func aStoreOfTheLastVersionUpgradesKeepingItsRows() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-phases")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        do {
            let queue = try DatabaseQueue(path: url.path)
            try StateStore.migrator.migrate(queue, upTo: "v3")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO deployment (name, desiredSpec, desiredSpecHash, desiredRevision, sync, health,
                                            desiredReplicas, createdAt, updatedAt, rolloutPhase)
                    VALUES ('iris', '{}', 'h1', ?, 'OutOfSync', 'Progressing', 1, 0, 0, 'Gating')
                    """, arguments: [commitA])
                #expect(throws: (any Error).self) {
                    try db.execute(sql: "UPDATE deployment SET rolloutPhase = 'Testing'")
                }
            }
        }
        let store = try StateStore(path: url)
        #expect(try store.appliedMigrations().contains("v4"))
        #expect(try store.deployment(named: "iris")?.rolloutPhase == .gating)
        try store.write { try $0.database.execute(sql: "UPDATE deployment SET rolloutPhase = 'Canary'") }
        #expect(try store.deployment(named: "iris")?.rolloutPhase == .canary)
    }
}
