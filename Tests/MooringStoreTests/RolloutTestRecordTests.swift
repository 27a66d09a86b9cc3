import Foundation
import GRDB
import MooringStore
import Testing

/// Migration "v7-model-tests": the Testing gate's results per rollout.
@Suite struct RolloutTestRecordTests {
    static let commit = String(repeating: "a", count: 40)

    @Test func aRolloutKeepsItsModelTestsInOrderAndLosesThemWithIt() throws {
        let store = try StateStore.inMemory()
        let id = try store.write { tx -> Int64 in
            let rollout = try tx.beginRollout(deployment: "iris", revision: Self.commit, specHash: "h1", strategy: .surge)
            let id = try #require(rollout.id)
            try tx.recordRolloutTests([
                RolloutTestRecord(rolloutId: id, check: "iris-setosa", passed: false, latencyMillis: 4.5, statistic: "p95",
                                  calls: 1, detail: #"$.outputs[0].data[0] expected "setosa", got "versicolor""#),
                RolloutTestRecord(rolloutId: id, check: "iris-latency", passed: true, latencyMillis: 12, statistic: "p50",
                                  calls: 5, detail: nil),
            ])
            try tx.finishRollout(id: id, outcome: .rolledBack, reason: "test iris-setosa: …")
            return id
        }
        let tests = try store.rolloutTests(of: id)
        #expect(tests.map(\.check) == ["iris-setosa", "iris-latency"])
        #expect(tests.map(\.passed) == [false, true])
        #expect(tests[0].detail?.contains("got \"versicolor\"") == true)
        #expect(tests[1].calls == 5)

        // Retention removes a rollout's tests with it.
        let removed = try store.write { try $0.pruneRollouts(keepingPerDeployment: 0) }
        #expect(removed == 1)
        #expect(try store.rolloutTests(of: id).isEmpty)
    }

    @Test func theSchemaRejectsWhatCannotBeAResult() throws {
        let store = try StateStore.inMemory()
        let id = try store.write { tx in try #require(try tx.beginRollout(deployment: "iris", revision: Self.commit, specHash: "h1", strategy: .surge).id) }
        for bad in [
            RolloutTestRecord(rolloutId: id, check: "", passed: true, latencyMillis: 1, statistic: "p95", calls: 1, detail: nil),
            RolloutTestRecord(rolloutId: id, check: "x", passed: true, latencyMillis: 1, statistic: "p99", calls: 1, detail: nil),
            RolloutTestRecord(rolloutId: id, check: "x", passed: true, latencyMillis: -1, statistic: "p95", calls: 1, detail: nil),
            RolloutTestRecord(rolloutId: id + 100, check: "x", passed: true, latencyMillis: 1, statistic: "p95", calls: 1, detail: nil),
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try store.write { try $0.recordRolloutTests([bad]) } }
        }
    }
}
