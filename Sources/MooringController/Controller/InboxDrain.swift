import Synchronization

/// Turns the controller's inbox into drains: everything that arrived while the loop was
/// busy is handed over at once, so the transitions of one drain are written in one store
/// transaction (``Controller/process(drain:)``) instead of one transaction per message.
///
/// A pump task reads the inbox into a buffer and wakes the loop; the loop takes the whole
/// buffer each time it wakes. The drains end when the inbox ends (graceful shutdown),
/// after the messages already buffered.
final class InboxDrain<Message: Sendable>: Sendable {
    private let buffer = Mutex<[Message]>([])
    private let wakesStream: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakesStream, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Reads `inbox` into the buffer until it ends; run it as a task of its own.
    func pump(_ inbox: AsyncStream<Message>) async {
        for await message in inbox {
            buffer.withLock { $0.append(message) }
            wake.yield()
        }
        wake.finish()
    }

    /// One element each time messages arrived since the last ``take()``; ends after the
    /// inbox has.
    var wakes: AsyncStream<Void> { wakesStream }

    /// Everything that arrived and was not taken yet, in arrival order (empty when a
    /// previous take got it all).
    func take() -> [Message] {
        buffer.withLock { buffer in
            let taken = buffer
            buffer.removeAll(keepingCapacity: true)
            return taken
        }
    }
}
