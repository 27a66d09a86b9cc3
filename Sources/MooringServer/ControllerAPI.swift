import Foundation
import MooringController
import MooringStatus

/// What the HTTP API needs of the controller: its readiness, requests through its queue,
/// and "fetch now". ``Controller`` is one; tests may pass another.
public protocol ControllerAPI: Sendable {
    func readiness() async -> ControllerReadiness
    func request(_ action: IntentAction, deployment: String?, wait: Duration) async -> ControllerAnswer
    /// Asks for a fetch now; a burst coalesces into one.
    func requestSync()
}

extension Controller: ControllerAPI {}
