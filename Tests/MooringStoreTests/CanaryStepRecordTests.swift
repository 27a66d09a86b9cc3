import Foundation
import GRDB
import MooringStore
import Testing

/// Migration "v9-canary": the deployment row carries the canary step and weight, and each
/// judged step is kept with its rollout.
@Suite struct CanaryStepRecordTests {
    static func step(_ rolloutId: Int64, _ number: Int, weight: Int, passed: Bool) -> RolloutCanaryStepRecord {
        RolloutCanaryStepRecord(rolloutId: rolloutId, step: number, weight: weight, requests: 212, responses5xx: passed ? 0 : 66,
                                connectionErrors: 0, errorRatio: passed ? 0 : 0.31, responseTimeMillis: 12, seconds: 30,
                                passed: passed, verdict: passed ? "passed" : "error ratio 0.31 > maxErrorRatio 0.05")
    }

    @Test func aRolloutKeepsItsStepsInOrderAndLosesThemWithIt() throws {
        let store = try StateStore.inMemory()
        let id = try store.write { tx -> Int64 in
            let rollout = try tx.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
            let id = try #require(rollout.id)
            try tx.recordCanaryStep(Self.step(id, 1, weight: 20, passed: true))
            try tx.recordCanaryStep(Self.step(id, 2, weight: 50, passed: false))
            try tx.finishRollout(id: id, outcome: .rolledBack, reason: "canary step 2 (50%): …")
            return id
        }
        let steps = try store.canarySteps(of: id)
        #expect(steps.map(\.weight) == [20, 50])
        #expect(steps.map(\.passed) == [true, false])
        #expect(steps[1].errorRatio == 0.31)
        #expect(steps[1].verdict.contains("maxErrorRatio"))
        let removed = try store.write { try $0.pruneRollouts(keepingPerDeployment: 0) }
        #expect(removed == 1)
        #expect(try store.canarySteps(of: id).isEmpty)
    }

    @Test func historyEntriesCarryTheStepsInTheirJSON() throws {
        let store = try StateStore.inMemory()
        let entries = try store.write { tx -> [RolloutHistoryEntry] in
            let canary = try tx.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
            try tx.recordCanaryStep(Self.step(try #require(canary.id), 1, weight: 20, passed: true))
            try tx.finishRollout(id: try #require(canary.id), outcome: .succeeded, reason: nil)
            let plain = try tx.beginRollout(deployment: "iris", revision: commitB, specHash: "h2", strategy: .surge)
            return try tx.historyEntries([canary, plain])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let objects = try entries.map { try #require(try JSONSerialization.jsonObject(with: try encoder.encode($0)) as? [String: Any]) }
        #expect(objects[0]["revision"] as? String == commitA)
        #expect(objects[0]["deployment"] as? String == "iris")
        let steps = try #require(objects[0]["canarySteps"] as? [[String: Any]])
        #expect(steps.first?["weight"] as? Int == 20)
        #expect(steps.first?["verdict"] as? String == "passed")
        #expect(objects[1]["revision"] as? String == commitB)
        #expect(objects[1]["canarySteps"] == nil)
    }

    @Test func theDeploymentRowCarriesTheStepAndWeight() throws {
        let store = try StateStore.inMemory()
        var record = sampleDeployment()
        record.rolloutPhase = .canary
        record.canaryStep = 1
        record.canaryWeight = 20
        try store.upsertDeployment(record)
        let read = try #require(try store.deployment(named: "iris"))
        #expect(read.canaryStep == 1)
        #expect(read.canaryWeight == 20)
        record.canaryWeight = 101
        #expect(throws: (any Error).self) { try store.upsertDeployment(record) }
    }

    @Test func theSchemaRejectsWhatCannotBeAStep() throws {
        let store = try StateStore.inMemory()
        let id = try store.write { tx in try #require(try tx.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge).id) }
        var zeroStep = Self.step(id, 1, weight: 20, passed: true); zeroStep.step = 0
        var fullWeight = Self.step(id, 1, weight: 100, passed: true); fullWeight.weight = 100
        var badRatio = Self.step(id, 1, weight: 20, passed: true); badRatio.errorRatio = 1.5
        var noVerdict = Self.step(id, 1, weight: 20, passed: true); noVerdict.verdict = ""
        let orphan = Self.step(id + 100, 1, weight: 20, passed: true)
        for bad in [zeroStep, fullWeight, badRatio, noVerdict, orphan] {
            #expect(throws: (any Error).self, "\(bad)") { try store.write { try $0.recordCanaryStep(bad) } }
        }
    }
}
