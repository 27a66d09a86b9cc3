import Foundation
import MooringStore
import Testing

/// Events, intents, the source and revisions.
@Suite struct HistoryTests {
    @Test func eventsAreListedNewestFirstPerDeploymentOrAll() throws {
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        try store.appendEvent(.normal, reason: "ControllerStarted", message: "pid 1")
        clock.advance(by: 1)
        try store.appendEvent(.normal, reason: "RolloutStarted", message: "to h2", deployment: "iris")
        clock.advance(by: 1)
        let last = try store.appendEvent(
            .warning, reason: "HealthCheckFailed", message: "/healthz: 500", deployment: "iris")
        #expect(last.time == clock.now)
        #expect(try store.events(of: "iris").map(\.reason) == ["HealthCheckFailed", "RolloutStarted"])
        #expect(try store.events(of: "iris", limit: 1) == [last])
        #expect(try store.events().map(\.reason) == ["HealthCheckFailed", "RolloutStarted", "ControllerStarted"])
    }

    @Test func intentsCarryTypedPayloadsAndCompleteOnce() throws {
        struct StartReplica: Codable, Equatable { var replica: Int; var port: Int }
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        let id = try store.beginIntent(
            action: .startReplica, deployment: "iris", payload: StartReplica(replica: 0, port: 18_000))
        let open = try #require(try store.openIntents().first)
        #expect(open.payload == #"{"port":18000,"replica":0}"#)
        #expect(try open.decodedPayload(as: StartReplica.self) == StartReplica(replica: 0, port: 18_000))

        clock.advance(by: 2)
        try store.completeIntent(id, outcome: "Succeeded")
        let done = try #require(try store.intent(id: id))
        #expect(done.completedAt == clock.now)
        #expect(done.outcome == "Succeeded")
        #expect(try store.openIntents().isEmpty)

        let again = try #require(throws: StoreError.self) { try store.completeIntent(id, outcome: "Failed") }
        #expect(again.code == .conflict)
        let missing = try #require(throws: StoreError.self) { try store.completeIntent(id + 100, outcome: "x") }
        #expect(missing.code == .notFound)
    }

    @Test func sourceIsASingleRowThatIsReplacedAndUpdated() throws {
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        #expect(try store.source() == nil)
        let notYet = try #require(throws: StoreError.self) { try store.updateSource { $0.lastError = "x" } }
        #expect(notYet.code == .notFound)

        let source = SourceRecord(
            repo: "https://git.example.com/ml/deploys.git", branch: "main", path: "manifests",
            lastFetchedCommit: commitA, lastFetchedSubject: "iris v2",
            lastFetchAt: clock.now, nextFetchAt: clock.now.addingTimeInterval(60),
            controllerPid: 4242, controllerStartedAt: clock.now, apiAddress: "127.0.0.1:7070")
        let stored = try store.putSource(source)
        #expect(try store.source() == stored)

        clock.advance(by: 60)
        let diagnostics = """
            manifests/iris.yaml:7:5: spec.replicas: must be at least 0
            manifests/llama.yaml:3:1: metadata.name: duplicate name iris
            """
        let failed = try store.updateSource {
            $0.lastError = diagnostics
            $0.lastErrorAt = clock.now
        }
        #expect(failed.updatedAt == clock.now)
        #expect(try store.source()?.lastError == diagnostics)
        #expect(try store.source()?.lastFetchedCommit == commitA)
        let rows = try store.read { try Int.fetchOne($0.database, sql: "SELECT count(*) FROM source") }
        #expect(rows == 1)
    }

    @Test func revisionsKeepTheirDiagnosticsAndFirstSighting() throws {
        let store = try StateStore.inMemory()
        let diagnostics = [
            RevisionDiagnostic(file: "manifests/iris.yaml", line: 7, column: 5, path: "spec.replicas", message: "must be at least 0"),
            RevisionDiagnostic(file: "manifests/bad.yaml", message: "not YAML"),
        ]
        let first = Date(timeIntervalSince1970: 1_700_000_000)
        let rejected = try RevisionRecord(
            commit: commitB, subject: "break things", author: "A <a@example.com>",
            committedAt: first, seenAt: first, valid: false, diagnostics: diagnostics)
        try store.recordRevision(rejected)
        try store.recordRevision(RevisionRecord(
            commit: commitB, subject: "break things", author: "A <a@example.com>",
            committedAt: first, seenAt: first.addingTimeInterval(600), valid: false, diagnostics: diagnostics))

        let stored = try #require(try store.revision(commitB))
        #expect(stored.seenAt == first)
        #expect(try stored.decodedDiagnostics() == diagnostics)
        #expect(try stored.decodedDiagnostics().map(\.description) == [
            "manifests/iris.yaml:7:5: spec.replicas: must be at least 0",
            "manifests/bad.yaml: not YAML",
        ])
        #expect(try store.revisions().map(\.commit) == [commitB])
    }

    @Test func pruningRemovesOnlyFinishedHistoryBeforeTheCutoff() throws {
        let clock = TestClock()
        let store = try StateStore.inMemory(now: { clock.now })
        try store.appendEvent(.normal, reason: "Old", message: "old")
        let oldRollout = try store.beginRollout(deployment: "iris", revision: commitA, specHash: "h1", strategy: .surge)
        try store.finishRollout(id: try #require(oldRollout.id), outcome: .succeeded)
        let oldIntent = try store.beginIntent(action: .startReplica)
        try store.completeIntent(oldIntent, outcome: "Succeeded")
        let stillOpen = try store.beginIntent(action: .stopReplica)
        let running = try store.beginRollout(deployment: "other", revision: commitA, specHash: "o1", strategy: .surge)

        clock.advance(by: 3600)
        let cutoff = clock.now
        try store.appendEvent(.normal, reason: "New", message: "new")

        let pruned = try store.pruneHistory(before: cutoff)
        #expect(pruned == PrunedHistory(events: 1, rollouts: 1, intents: 1))
        #expect(try store.events().map(\.reason) == ["New"])
        #expect(try store.rollouts() == [running])
        #expect(try store.openIntents().map(\.id) == [stillOpen])
    }
}

@Suite struct RolloutRetentionTests {
    @Test func keepsTheNewestFinishedRolloutsPerDeploymentAndAnyInProgress() throws {
        let store = try StateStore.inMemory()
        let commit = String(repeating: "a", count: 40)
        try store.write { tx in
            for index in 0..<5 {
                for name in ["iris", "wine"] {
                    let rollout = try tx.beginRollout(deployment: name, revision: commit, specHash: "h\(index)", strategy: .surge)
                    if let id = rollout.id { try tx.finishRollout(id: id, outcome: .succeeded) }
                }
            }
            try tx.beginRollout(deployment: "iris", revision: commit, specHash: "running", strategy: .surge)
        }
        let removed = try store.write { try $0.pruneRollouts(keepingPerDeployment: 2) }
        #expect(removed == 6)
        let iris = try store.rollouts(of: "iris")
        #expect(iris.map(\.specHash) == ["running", "h4", "h3"])
        #expect(try store.rollouts(of: "wine").map(\.specHash) == ["h4", "h3"])
    }
}
