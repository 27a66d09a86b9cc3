import Foundation
import MooringStore
import Testing

/// Migration "v11-draining-since": when a replica began to drain is stored with it, so a
/// restarted controller keeps the drain's deadline; rows written without it read as not
/// draining.
struct DrainingSinceColumnTests {
    @Test func whenADrainBeganRoundTripsAndOtherRowsHaveNone() throws {
        let store = try StateStore.inMemory()
        _ = try store.upsertDeployment(sampleDeployment())
        var draining = sampleReplica(index: 0)
        draining.drainingSince = Date(timeIntervalSince1970: 1_700_000_123.5)
        try store.write { tx in
            try tx.putReplica(draining)
            try tx.putReplica(sampleReplica(index: 1, port: 18_001))
        }
        let rows = try store.replicas(of: "iris").sorted { $0.replicaIndex < $1.replicaIndex }
        #expect(rows.map(\.drainingSince) == [Date(timeIntervalSince1970: 1_700_000_123.5), nil])
        // Put again without it (the drain ended with the replica's stop): cleared.
        draining.drainingSince = nil
        try store.write { try $0.putReplica(draining) }
        #expect(try store.replicas(of: "iris").first { $0.replicaIndex == 0 }?.drainingSince == nil)
    }
}
