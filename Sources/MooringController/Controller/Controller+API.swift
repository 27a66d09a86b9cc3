import Foundation
import MooringStatus
import MooringStore

/// Whether the controller can serve: what `GET /readyz` reports.
public struct ControllerReadiness: Sendable, Equatable {
    /// Recovery finished and the first fetch since start was applied, and the store takes writes.
    public var ready: Bool
    /// Why not, in words an operator can act on (empty when ready).
    public var reason: String
}

/// What became of a request made through the API (the same answer `mooring sync`,
/// `suspend` and `resume` print).
public enum ControllerAnswer: Sendable, Equatable {
    /// The controller handled it and said this.
    case done(String)
    /// There is no deployment with that name.
    case notFound(String)
    /// The controller cannot take requests now (starting, stopping, or stalled).
    case unavailable(String)
    /// The request was queued but not handled within the wait; it will be.
    case pending(String)
}

extension Controller {
    /// Ready once recovery is done, the first fetch since start was recorded, and the
    /// store takes writes (no transition is waiting to be written again).
    public func readiness() async -> ControllerReadiness {
        switch state {
        case .initial, .recovering:
            return ControllerReadiness(ready: false, reason: "the controller is recovering: reading the store and adopting model processes")
        case .stopping, .stopped:
            return ControllerReadiness(ready: false, reason: "the controller is stopping")
        case .running:
            break
        }
        if let stalled {
            return ControllerReadiness(ready: false, reason: stalled)
        }
        if storeFailures > 0 {
            return ControllerReadiness(ready: false, reason: "the state store \(context.layout.database.path) refuses writes; check free disk space and the file's permissions — retried with backoff")
        }
        let source: SourceRecord?
        do {
            source = try await context.store.read { try $0.source() }
        } catch {
            return ControllerReadiness(ready: false, reason: "cannot read the state store \(context.layout.database.path): \(error)")
        }
        guard let source, let started = source.controllerStartedAt, let fetched = source.lastFetchAt, fetched >= started else {
            let why = source?.lastError.map { ": \($0)" } ?? ""
            return ControllerReadiness(ready: false, reason: "waiting for the first fetch since the controller started\(why)")
        }
        return ControllerReadiness(ready: true, reason: "")
    }

    /// Sends `action` for `deployment` (nil: the whole source) through the same request
    /// queue `mooring sync`, `suspend` and `resume` use, so the loop — the only writer —
    /// handles it between two messages; waits up to `wait` for its answer.
    /// `.sync` (and `.retry`) also ask for a fetch now (a burst coalesces into one); a sync
    /// is answered once a poll started after it has been applied, with what it changed.
    public func request(_ action: IntentAction, deployment: String?, wait: Duration = .seconds(10)) async -> ControllerAnswer {
        guard state == .running, stalled == nil else {
            return .unavailable(stalled ?? "the controller is not running (it is starting or stopping); try again shortly")
        }
        if let deployment, machines[deployment] == nil {
            return .notFound("no deployment named \(deployment); GET /api/v1/status lists them")
        }
        let id: Int64
        do {
            id = try await context.store.write { try $0.beginIntent(action: action, deployment: deployment) }
        } catch {
            return .unavailable("cannot queue the request in \(context.layout.database.path): \(error); nothing was changed")
        }
        if action == .sync || action == .retry {
            requestSync()
        } else {
            inboxContinuation.yield(.requests)
        }
        let waitClock = ContinuousClock()
        let deadline = waitClock.now.advanced(by: wait)
        while waitClock.now < deadline {
            do {
                if let outcome = try await context.store.read({ try $0.intent(id: id) })?.outcome {
                    if outcome.hasPrefix("error: ") {
                        // A named deployment that does not exist, or a fetch that failed.
                        let message = String(outcome.dropFirst("error: ".count))
                        return deployment == nil ? .unavailable(message) : .notFound(message)
                    }
                    return .done(outcome == "done" ? "asked the controller to fetch and reconcile now" : outcome)
                }
                try await waitClock.sleep(for: .milliseconds(50))
            } catch {
                break
            }
        }
        return .pending("queued request \(id); the controller has not handled it yet (it is busy) — it will")
    }
}
