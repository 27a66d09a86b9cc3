import Foundation
import GRDB

extension StateStore {
    /// Runs `body` in one read transaction without blocking a thread of Swift's
    /// cooperative pool: GRDB runs it on its own dispatch queue and resumes the caller.
    public func read<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        let now = storableNow()
        do {
            return try await writer.read { db in try body(StoreTransaction(database: db, now: now)) }
        } catch {
            throw StoreError.wrap(error, doing: "reading")
        }
    }

    /// Runs `body` in one write transaction off the cooperative pool: everything it
    /// writes is committed together, or nothing is if it throws.
    public func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        guard !isReadOnly else {
            throw StoreError(
                .readOnly,
                "the state store at \(location) is open read-only; only `mooring run` writes state")
        }
        let now = storableNow()
        do {
            return try await writer.write { db in try body(StoreTransaction(database: db, now: now)) }
        } catch {
            throw StoreError.wrap(error, doing: "writing")
        }
    }
}
