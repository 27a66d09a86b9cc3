import Foundation
import MooringStore
import Testing

@Suite struct DeploymentTests {
    @Test func everyFieldRoundTrips() throws {
        let store = try StateStore.inMemory()
        var deployment = sampleDeployment()
        deployment.attemptedSpecHash = "h2"
        deployment.attemptedRevision = commitB
        deployment.appliedSpec = #"{"replicas":1}"#
        deployment.appliedSpecHash = "h1"
        deployment.appliedRevision = commitA
        deployment.lastHealthySpecHash = "h1"
        deployment.quarantinedSpecHash = "h2"
        deployment.quarantineReason = "health gate failed: /healthz returned 500 three times"
        deployment.sync = .outOfSync
        deployment.health = .degraded
        deployment.message = "rolled back to \(commitA.prefix(7))"
        deployment.readyReplicas = 1
        deployment.desiredReplicas = 2
        deployment.endpoint = "http://127.0.0.1:18000"
        deployment.suspended = true
        let stored = try store.upsertDeployment(deployment)
        #expect(try store.deployment(named: "iris") == stored)
        #expect(try store.deployments() == [stored])
    }

    @Test func upsertKeepsCreatedAtAndStampsUpdatedAt() throws {
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        let created = try store.upsertDeployment(sampleDeployment())
        #expect(created.createdAt == clock.now)
        #expect(created.updatedAt == clock.now)

        clock.advance(by: 30)
        let replaced = try store.upsertDeployment(sampleDeployment(specHash: "h2", revision: commitB))
        #expect(replaced.createdAt == created.createdAt)
        #expect(replaced.updatedAt == clock.now)
        #expect(try store.deployment(named: "iris")?.desiredSpecHash == "h2")

        clock.advance(by: 5)
        let updated = try store.updateDeployment(named: "iris") { $0.readyReplicas = 1 }
        #expect(updated.updatedAt == clock.now)
        #expect(try store.deployment(named: "iris") == updated)
    }

    /// The controller's write (no read first or back) keeps the same promises as upsert.
    @Test func saveKeepsCreatedAtStampsUpdatedAtAndWritesEveryOtherColumn() throws {
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        try store.write { try $0.saveDeployment(sampleDeployment()) }
        let created = try #require(try store.deployment(named: "iris"))
        #expect(created.createdAt == clock.now)
        #expect(created.updatedAt == clock.now)

        clock.advance(by: 30)
        var changed = sampleDeployment(specHash: "h2", revision: commitB)
        changed.health = .degraded
        changed.message = "rolled back"
        changed.createdAt = Date(timeIntervalSince1970: 1)  // ignored: the row keeps its own
        try store.write { try $0.saveDeployment(changed) }
        let saved = try #require(try store.deployment(named: "iris"))
        #expect(saved.createdAt == created.createdAt)
        #expect(saved.updatedAt == clock.now)
        #expect(saved.desiredSpecHash == "h2")
        #expect(saved.health == .degraded)
        #expect(saved.message == "rolled back")
        #expect(try store.deployments().count == 1)
    }

    @Test func deploymentsAreListedByName() throws {
        let store = try StateStore.inMemory()
        for name in ["vllm", "iris", "llama-3"] { try store.upsertDeployment(sampleDeployment(name)) }
        #expect(try store.deployments().map(\.name) == ["iris", "llama-3", "vllm"])
    }

    @Test func updatingAMissingDeploymentIsNotFound() throws {
        let store = try StateStore.inMemory()
        let error = try #require(throws: StoreError.self) {
            try store.updateDeployment(named: "ghost") { $0.message = "x" }
        }
        #expect(error.code == .notFound)
    }

    @Test func renamingThroughUpdateIsRefused() throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        let error = try #require(throws: StoreError.self) {
            try store.updateDeployment(named: "iris") { $0.name = "iris2" }
        }
        #expect(error.code == .invalidArgument)
        #expect(try store.deployments().map(\.name) == ["iris"])
    }

    @Test func deletingADeploymentKeepsItsHistoryButDropsItsReplicas() throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        try store.upsertDeployment(sampleDeployment("other"))
        try store.insertReplica(sampleReplica())
        try store.insertReplica(sampleReplica("other", port: 18_010))
        let rollout = try store.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
        try store.finishRollout(id: try #require(rollout.id), outcome: .succeeded)
        try store.appendEvent(.normal, reason: "RolloutSucceeded", message: "iris serving", deployment: "iris")
        let intent = try store.beginIntent(action: .retry, deployment: "iris")

        #expect(try store.deleteDeployment(named: "iris"))
        #expect(try !store.deleteDeployment(named: "iris"))

        #expect(try store.deployment(named: "iris") == nil)
        #expect(try store.replicas(of: "iris").isEmpty)
        #expect(try store.replicas().map(\.deployment) == ["other"])
        #expect(try store.rollouts(of: "iris").map(\.outcome) == [.succeeded])
        #expect(try store.events(of: "iris").map(\.reason) == ["RolloutSucceeded"])
        #expect(try store.openIntents().map(\.id) == [intent])
    }
}
