import Foundation
import Synchronization

/// `POST /api/v1/down`: the operator asked the running controller to stop every model
/// process and then itself. The server records the grace period and calls `trigger`
/// (which starts the graceful shutdown of `mooring run`'s service group; in-flight
/// requests finish first); `mooring run` stops the models once its services have ended.
public final class ShutdownRequest: Sendable {
    private let state = Mutex<(grace: Duration?, trigger: (@Sendable () async -> Void)?)>((nil, nil))

    public init() {}

    /// The grace period asked for, once `down` was requested.
    public var grace: Duration? { state.withLock { $0.grace } }

    /// What starts the shutdown (set once the service group exists).
    public func onRequest(_ trigger: @escaping @Sendable () async -> Void) {
        state.withLock { $0.trigger = trigger }
    }

    /// Records the request and starts the shutdown; false when nothing can start it.
    func request(grace: Duration) async -> Bool {
        let trigger = state.withLock { state -> (@Sendable () async -> Void)? in
            state.grace = grace
            return state.trigger
        }
        guard let trigger else { return false }
        await trigger()
        return true
    }
}
