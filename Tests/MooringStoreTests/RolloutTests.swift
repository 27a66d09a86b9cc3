import Foundation
import MooringStore
import Testing

@Suite struct RolloutTests {
    @Test func beginAndFinish() throws {
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        let started = try store.beginRollout(
            deployment: "iris", revision: commitB, specHash: "h2",
            fromSpecHash: "h1", fromRevision: commitA, strategy: .surge)
        #expect(started.outcome == .inProgress)
        #expect(started.startedAt == clock.now)
        #expect(started.finishedAt == nil)
        #expect(try store.inProgressRollout(of: "iris") == started)

        clock.advance(by: 42)
        let id = try #require(started.id)
        let finished = try store.finishRollout(id: id, outcome: .rolledBack, reason: "progress deadline of 600s exceeded")
        #expect(finished.finishedAt == clock.now)
        #expect(finished.outcome == .rolledBack)
        #expect(try store.inProgressRollout(of: "iris") == nil)
        #expect(try store.rollouts(of: "iris") == [finished])
    }

    @Test func aNewRolloutSupersedesTheOneInProgress() throws {
        let store = try StateStore.inMemory()
        let first = try store.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
        let second = try store.beginRollout(deployment: "iris", revision: commitB, specHash: "h2", strategy: .recreate)
        let other = try store.beginRollout(deployment: "other", revision: commitB, specHash: "o1", strategy: .surge)

        #expect(try store.inProgressRollout(of: "iris") == second)
        #expect(try store.inProgressRollout(of: "other") == other)
        let history = try store.rollouts(of: "iris")
        #expect(history.map(\.id) == [second.id, first.id])
        #expect(history.last?.outcome == .superseded)
        #expect(history.last?.reason?.contains(commitB) == true)
    }

    @Test func finishingTwiceOrWithInProgressIsRefused() throws {
        let store = try StateStore.inMemory()
        let rollout = try store.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
        let id = try #require(rollout.id)
        let invalid = try #require(throws: StoreError.self) { try store.finishRollout(id: id, outcome: .inProgress) }
        #expect(invalid.code == .invalidArgument)
        try store.finishRollout(id: id, outcome: .succeeded)
        let twice = try #require(throws: StoreError.self) {
            try store.finishRollout(id: id, outcome: .failed, reason: "late")
        }
        #expect(twice.code == .conflict)
        #expect(try store.rollouts(of: "iris").map(\.outcome) == [.succeeded])
        let missing = try #require(throws: StoreError.self) { try store.finishRollout(id: 999, outcome: .succeeded) }
        #expect(missing.code == .notFound)
    }

    @Test(arguments: [1, 2, 5])
    func listsNewestFirstUpToTheLimit(limit: Int) throws {
        let store = try StateStore.inMemory()
        var ids: [Int64?] = []
        for index in 0..<4 {
            let rollout = try store.beginRollout(
                deployment: "iris", revision: commitA, specHash: "h\(index)", strategy: .surge)
            try store.finishRollout(id: try #require(rollout.id), outcome: .succeeded)
            ids.append(rollout.id)
        }
        try store.beginRollout(deployment: "other", revision: commitA, specHash: "o", strategy: .surge)
        #expect(try store.rollouts(of: "iris", limit: limit).map(\.id) == Array(ids.reversed().prefix(limit)))
        #expect(try store.rollouts(limit: 10).count == 5)
    }
}
