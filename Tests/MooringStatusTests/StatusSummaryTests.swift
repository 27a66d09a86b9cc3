import MooringStatus
import Testing

/// The status words, case by case: each row is a situation an operator can be in, and the
/// words `mooring status` must show for it.
@Suite struct StatusSummaryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var facts: DeploymentFacts
        var sync: DeploymentSync
        var health: DeploymentHealth
        var ready: Int
        var message: String
        var testDescription: String { label }
    }

    static let a = String(repeating: "a", count: 40)
    static let b = String(repeating: "b", count: 40)

    static func facts(
        desired: String = "h2", applied: String? = "h2", replicas: Int = 1,
        serving: [DeploymentFacts.Replica] = [.init(index: 0, phase: .ready, pid: 10)],
        _ change: (inout DeploymentFacts) -> Void = { _ in }
    ) -> DeploymentFacts {
        var facts = DeploymentFacts(
            name: "iris", desiredRevision: b, desiredSpecHash: desired, appliedSpecHash: applied,
            appliedRevision: applied == nil ? nil : (applied == desired ? b : a), appliedReplicas: replicas,
            serving: serving)
        change(&facts)
        return facts
    }

    static let cases: [Case] = [
        Case(label: "serving what Git wants", facts: facts(), sync: .synced, health: .healthy, ready: 1, message: ""),
        Case(label: "nothing deployed yet", facts: facts(applied: nil, serving: []),
             sync: .outOfSync, health: .missing, ready: 0, message: "not deployed yet"),
        Case(label: "rollout gating", facts: facts(applied: "h1") {
                $0.rollout = .init(phase: .gating, kind: .surge, revision: b, detail: "replica 0 is starting")
             }, sync: .outOfSync, health: .progressing, ready: 1,
             message: "rolling out bbbbbbb (Surge, gating): replica 0 is starting"),
        Case(label: "recreate says it has downtime", facts: facts(applied: "h1", serving: []) {
                $0.rollout = .init(phase: .starting, kind: .recreate, revision: b)
             }, sync: .outOfSync, health: .progressing, ready: 0,
             message: "rolling out bbbbbbb (Recreate, starting) — Recreate has downtime by design"),
        Case(label: "rolling back", facts: facts(applied: "h1") {
                $0.rollout = .init(phase: .rollingBack, kind: .surge, revision: b, failure: "crash loop")
             }, sync: .outOfSync, health: .degraded, ready: 1, message: "rolling back bbbbbbb: crash loop; aaaaaaa keeps serving"),
        Case(label: "quarantined desired spec", facts: facts(applied: "h1") {
                $0.quarantinedSpecHash = "h2"; $0.quarantineReason = "deadline"
             }, sync: .outOfSync, health: .degraded, ready: 1,
             message: "rollout of bbbbbbb failed: deadline; aaaaaaa keeps serving; not retried until Git changes it or `mooring sync --retry iris`"),
        Case(label: "quarantine of another spec is history", facts: facts {
                $0.quarantinedSpecHash = "h0"; $0.quarantineReason = "deadline"
             }, sync: .synced, health: .healthy, ready: 1, message: ""),
        Case(label: "crash loop", facts: facts(serving: [.init(index: 0, phase: .crashLoop, restarts: 4, lastExit: "exit code 3")]),
             sync: .synced, health: .degraded, ready: 0,
             message: "replica 0 is crash-looping (4 restarts, last exit code 3); see `mooring logs iris --previous`"),
        Case(label: "one of two restarting", facts: facts(replicas: 2, serving: [.init(index: 0, phase: .ready), .init(index: 1, phase: .backoff)]),
             sync: .synced, health: .progressing, ready: 1, message: "1/2 replicas ready; replica 1 is backoff"),
        Case(label: "suspended", facts: facts { $0.suspended = true }, sync: .synced, health: .suspended, ready: 1,
             message: "suspended: the controller leaves it as it runs and ignores Git for it until resumed"),
        Case(label: "being removed", facts: facts { $0.removing = true }, sync: .outOfSync, health: .progressing, ready: 1,
             message: "removed from Git; stopping its replicas"),
        Case(label: "rejected tip that would change it", facts: facts { $0.rejection = "commit ccccccc rejected: manifests/iris.yaml:3:5: bad" },
             sync: .outOfSync, health: .healthy, ready: 1, message: "commit ccccccc rejected: manifests/iris.yaml:3:5: bad"),
        Case(label: "controller stopped, model killed", facts: facts(serving: [.init(index: 0, phase: .ready, pid: 123, alive: false)]) {
                $0.controllerRunning = false
             }, sync: .synced, health: .unknown, ready: 0,
             message: "controller not running; replica 0 (pid 123) is gone — start `mooring run` to restore it"),
        Case(label: "controller stopped, model alive", facts: facts(serving: [.init(index: 0, phase: .ready, pid: 123, alive: true)]) {
                $0.controllerRunning = false
             }, sync: .synced, health: .healthy, ready: 1,
             message: "controller not running; every recorded process is alive (readiness as last probed)"),
    ]

    @Test(arguments: cases)
    func summary(_ row: Case) {
        let summary = StatusSummary.of(row.facts)
        #expect(summary.sync == row.sync)
        #expect(summary.health == row.health)
        #expect(summary.readyReplicas == row.ready)
        #expect(summary.message == row.message)
    }
}
