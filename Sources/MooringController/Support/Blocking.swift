import Dispatch

/// Runs blocking work — a revision export, a file digest, a `/proc` scan, a libgit2 read
/// — on a dispatch queue of its own, so it never holds a thread of Swift's cooperative
/// pool (two threads on this machine) while the controller waits for it.
enum Blocking {
    private static let queue = DispatchQueue(label: "mooring.blocking", qos: .utility, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
