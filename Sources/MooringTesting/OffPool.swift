import Foundation

/// Runs CPU-heavy test work (generating 50 MB of YAML, hashing 400 MB) on a thread of its
/// own, so it never holds one of the cooperative pool's threads — on two cores the pool
/// has two, and a test that holds them stalls every other test running beside it.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
