import Foundation
import Synchronization

/// Turns a burst of webhooks into one fetch: the first asks for a fetch `window` later;
/// those that arrive before it starts share it. (The controller's own queue would still
/// fetch once per webhook that lands during a fetch.) A push after the fetch started gets
/// a fetch of its own, so no commit is missed.
final class WebhookCoalescer: Sendable {
    private let pending = Mutex(false)
    private let triggers: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    let window: Duration

    init(window: Duration = .seconds(1)) {
        self.window = window
        (triggers, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A signed push arrived.
    func trigger() {
        let first = pending.withLock { pending in
            defer { pending = true }
            return !pending
        }
        if first { continuation.yield() }
    }

    /// Asks `sync` for one fetch per burst until cancelled.
    func run(_ sync: @Sendable () -> Void) async {
        for await _ in triggers {
            do { try await Task.sleep(for: window) } catch { return }
            pending.withLock { $0 = false }
            sync()
        }
    }
}
