import Foundation
import GRDB
import MooringStore
import Testing

/// A value the schema must refuse, and how to try writing it.
struct BadValue: Sendable, CustomTestStringConvertible {
    let name: String
    /// Text SQLite's message must contain (the constraint's name or column).
    let mentions: String
    let attempt: @Sendable (StateStore) throws -> Void
    var testDescription: String { name }
}

/// The schema, not just the Swift types, keeps bad state out.
@Suite struct ConstraintTests {
    static let badValues: [BadValue] = [
        BadValue(name: "unknown sync word", mentions: "deployment_sync_word") { store in
            try store.write { try $0.database.execute(sql: "UPDATE deployment SET sync = 'Bogus'") }
        },
        BadValue(name: "unknown health word", mentions: "deployment_health_word") { store in
            try store.write { try $0.database.execute(sql: "UPDATE deployment SET health = 'Fine'") }
        },
        BadValue(name: "duplicate replica", mentions: "replica.deployment, replica.generation, replica.replicaIndex") { store in
            try store.insertReplica(sampleReplica(port: 18_001))
            try store.insertReplica(sampleReplica(port: 18_002))
        },
        BadValue(name: "replica of an unknown deployment", mentions: "FOREIGN KEY") { store in
            try store.insertReplica(sampleReplica("ghost"))
        },
        BadValue(name: "port out of range", mentions: "replica_port_range") { store in
            try store.insertReplica(sampleReplica(port: 70_000))
        },
        BadValue(name: "pid without start time", mentions: "replica_identity_pair") { store in
            var replica = sampleReplica()
            replica.pid = 4242
            try store.insertReplica(replica)
        },
        BadValue(name: "deployment name that is not a DNS label", mentions: "deployment_name_dns_label") { store in
            try store.upsertDeployment(sampleDeployment("Iris_Model"))
        },
        BadValue(name: "desired spec that is not JSON", mentions: "deployment_desired_spec_json") { store in
            var deployment = sampleDeployment("other")
            deployment.desiredSpec = "{model: iris"
            try store.upsertDeployment(deployment)
        },
        BadValue(name: "applied spec without its hash", mentions: "deployment_applied_triple") { store in
            try store.updateDeployment(named: "iris") { $0.appliedSpec = "{}" }
        },
        BadValue(name: "quarantine without a reason", mentions: "deployment_quarantine_has_reason") { store in
            try store.updateDeployment(named: "iris") { $0.quarantinedSpecHash = "h1" }
        },
        BadValue(name: "event reason that is not CamelCase", mentions: "event_reason_camel_case") { store in
            try store.appendEvent(.warning, reason: "rollout failed", message: "x")
        },
        BadValue(name: "unknown event type", mentions: "event_type_word") { store in
            try store.write {
                try $0.database.execute(sql: """
                    INSERT INTO event (time, type, reason, message) VALUES (0, 'Error', 'Boom', 'x')
                    """)
            }
        },
        BadValue(name: "rejected commit without diagnostics", mentions: "revision_rejected_has_diagnostics") { store in
            try store.recordRevision(RevisionRecord(
                commit: commitB, subject: "bad", author: "a", committedAt: Date(), seenAt: Date(), valid: false))
        },
        BadValue(name: "commit id that is not hex", mentions: "revision_commit_hex") { store in
            try store.recordRevision(RevisionRecord(
                commit: "main", subject: "s", author: "a", committedAt: Date(), seenAt: Date(), valid: true))
        },
        BadValue(name: "second rollout in progress", mentions: "rollout.deployment") { store in
            try store.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
            try store.write {
                var second = RolloutRecord(
                    deployment: "iris", revision: commitB, specHash: "h2", strategy: .surge, startedAt: $0.now)
                try second.insert($0.database)
            }
        },
        BadValue(name: "failed rollout without a reason", mentions: "rollout_failure_has_reason") { store in
            let rollout = try store.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
            try store.finishRollout(id: rollout.id ?? -1, outcome: .failed)
        },
        BadValue(name: "intent payload that is not JSON", mentions: "intent_payload_json") { store in
            try store.beginIntent(action: .startReplica, payload: "replica=0")
        },
        BadValue(name: "second source row", mentions: "source_single_row") { store in
            try store.write {
                try $0.database.execute(sql: """
                    INSERT INTO source (id, repo, branch, path, updatedAt) VALUES (2, 'r', 'main', '', 0)
                    """)
            }
        },
    ]

    @Test(arguments: badValues)
    func schemaRejects(_ bad: BadValue) throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        let before = try snapshot(store)
        let error = try #require(throws: StoreError.self) { try bad.attempt(store) }
        #expect(error.code == .constraintViolation)
        #expect(error.message.contains(bad.mentions), "message was: \(error.message)")
        #expect(try snapshot(store).deployment == before.deployment)
    }

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let store = try StateStore.inMemory()
        let error = try #require(throws: StoreError.self) {
            try store.write { tx in
                try tx.upsertDeployment(sampleDeployment())
                try tx.appendEvent(.normal, reason: "DeploymentCreated", message: "iris", deployment: "iris")
                try tx.insertReplica(sampleReplica(port: 0))
            }
        }
        #expect(error.code == .constraintViolation)
        #expect(try store.deployments().isEmpty)
        #expect(try store.events().isEmpty)
    }

    private func snapshot(_ store: StateStore) throws -> (deployment: DeploymentRecord?, replicas: Int) {
        (try store.deployment(named: "iris"), try store.replicas().count)
    }
}
