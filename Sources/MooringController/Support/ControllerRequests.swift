import Foundation
import MooringStatus
import MooringStore

/// Messages to the running controller from commands on the same host (`mooring sync`,
/// `sync --retry`, `suspend`, `resume`): a row in the store's request queue, then SIGHUP.
/// The controller — the only writer of deployment records — reads the queue, feeds each
/// request to the deployment's state machine and records the outcome on the request.
public enum ControllerRequests {
    /// What became of a request.
    public enum Outcome: Equatable, Sendable {
        /// The controller handled it, with what it said.
        case handled(String)
        /// The controller did not get to it within the wait.
        case pending
    }

    /// Queues `action` for `deployment` and signals the controller; waits up to `wait` for
    /// the controller to handle it. Throws when no controller runs or the deployment is unknown.
    /// `checking` names a deployment that must exist without being the request's subject.
    public static func send(_ action: IntentAction, deployment: String?, checking: String? = nil, layout: StateLayout,
                            wait: Duration = .seconds(10)) async throws -> Outcome {
        guard let pid = StateLock.holder(at: layout.lock) else {
            throw ControllerError(.notRunning, "no controller is running on \(layout.root.path) (nothing holds \(layout.lock.path)); start one with `mooring run`")
        }
        let store = try StateStore(path: layout.database)
        let id: Int64 = try await store.write { tx in
            for name in [deployment, checking].compactMap({ $0 }) where try tx.deployment(named: name) == nil {
                throw StoreError(.notFound, "no deployment named \(name); `mooring status` lists them")
            }
            return try tx.beginIntent(action: action, deployment: deployment)
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw ControllerError(.notRunning, "cannot signal controller pid \(pid): \(String(cString: strerror(errno)))")
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        while clock.now < deadline {
            if let request = try await store.read({ try $0.intent(id: id) }), let outcome = request.outcome {
                return .handled(outcome)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return .pending
    }
}
