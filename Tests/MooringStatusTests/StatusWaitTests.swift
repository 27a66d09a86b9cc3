import Foundation
import MooringStatus
import Testing

/// What `mooring status --wait` waits for, situation by situation: it keeps waiting while
/// nothing failed and not everything is settled, and while a failure's automatic rollback
/// is still under way (so the report it prints is where the deployment settled); it stops
/// at a settled report or a failure with no rollback running.
@Suite struct StatusWaitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var health: String
        var phase: String?
        var controllerRunning: Bool
        var keepsWaiting: Bool
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "rolling out, Progressing", health: "Progressing", phase: "Gating", controllerRunning: true, keepsWaiting: true),
        Case(label: "Degraded while the rollback runs", health: "Degraded", phase: "RollingBack", controllerRunning: true, keepsWaiting: true),
        Case(label: "Degraded after the rollback", health: "Degraded", phase: nil, controllerRunning: true, keepsWaiting: false),
        Case(label: "Degraded, rollout failed with autoRollback off", health: "Degraded", phase: "Failed", controllerRunning: true, keepsWaiting: false),
        Case(label: "rolling back with no controller to finish it", health: "Degraded", phase: "RollingBack", controllerRunning: false, keepsWaiting: false),
        Case(label: "Synced and Healthy", health: "Healthy", phase: nil, controllerRunning: true, keepsWaiting: false),
    ]

    @Test(arguments: cases) func waits(_ c: Case) {
        let now = Date()
        let source = StatusReport.Source(repo: "/srv/models", branch: "main", path: "manifests", commit: "b", subject: "s",
                                         lastFetch: now, nextFetch: nil, error: nil, controllerRunning: c.controllerRunning,
                                         controllerPid: c.controllerRunning ? 42 : nil, tipRejected: false)
        let deployment = StatusReport.Deployment(
            name: "iris", sync: c.health == "Healthy" ? "Synced" : "OutOfSync", health: c.health, readyReplicas: 1, replicas: 1,
            desiredRevision: "b", attemptedRevision: "b", appliedRevision: "a", modelVersion: "1", rolloutPhase: c.phase,
            endpoint: nil, createdAt: now, updatedAt: now, message: "m")
        let report = StatusReport(source: source, deployments: [deployment])
        #expect(report.keepsWaiting == c.keepsWaiting)
    }
}
