import Foundation
import MooringStore
import Testing

@Suite struct ReplicaTests {
    @Test func insertAssignsIdsAndEveryFieldRoundTrips() throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        var replica = sampleReplica()
        replica.pid = 31_337
        replica.startTime = UInt64.max  // identity survives values past Int64.max
        replica.processGroup = 31_337
        replica.state = .running
        replica.restarts = 3
        replica.lastExitCode = 1
        replica.lastExitSignal = 9
        replica.lastExitAt = Date(timeIntervalSince1970: 1_700_000_100.5)
        let first = try store.insertReplica(replica)
        let second = try store.insertReplica(sampleReplica(index: 1, port: 18_001))
        let firstID = try #require(first.id)
        let secondID = try #require(second.id)
        #expect(firstID != secondID)
        #expect(try store.replica(id: firstID) == first)
        #expect(try store.replica(id: firstID)?.startTime == UInt64.max)
        #expect(try store.replicas(of: "iris") == [first, second])
    }

    @Test func updateAndDelete() throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        var replica = try store.insertReplica(sampleReplica())
        replica.state = .exited
        replica.lastExitCode = 137
        try store.updateReplica(replica)
        #expect(try store.replicas(of: "iris") == [replica])

        let id = try #require(replica.id)
        #expect(try store.deleteReplica(id: id))
        #expect(try !store.deleteReplica(id: id))
        #expect(try store.replicas().isEmpty)

        let error = try #require(throws: StoreError.self) { try store.updateReplica(replica) }
        #expect(error.code == .notFound)
    }

    @Test func aNewGenerationMayReuseReplicaIndexes() throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        try store.insertReplica(sampleReplica(generation: "h1", port: 18_000))
        try store.insertReplica(sampleReplica(generation: "h2", port: 18_001))
        #expect(try store.replicas(of: "iris").map(\.generation) == ["h1", "h2"])
    }
}
