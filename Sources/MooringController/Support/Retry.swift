import Foundation
import MooringStore

/// `mooring sync --retry NAME`: lifts the quarantine of a spec that failed its rollout, so
/// the running controller tries it again at its next reconcile (the CLI then signals it).
public enum Retry {
    /// What lifting the quarantine found.
    public enum Outcome: Equatable, Sendable {
        case lifted(specHash: String)
        case notQuarantined
    }

    /// Clears `name`'s quarantine in the store; throws `notFound` for an unknown deployment.
    public static func liftQuarantine(of name: String, layout: StateLayout) throws -> Outcome {
        let store = try StateStore(path: layout.database)
        return try store.write { tx in
            guard let record = try tx.deployment(named: name) else {
                throw StoreError(.notFound, "no deployment named \(name); `mooring status` lists them")
            }
            guard let hash = record.quarantinedSpecHash else { return .notQuarantined }
            _ = try tx.updateDeployment(named: name) { d in
                d.quarantinedSpecHash = nil
                d.quarantineReason = nil
                d.message = "retry requested for spec \(hash.prefix(12))"
            }
            try tx.appendEvent(.normal, reason: "RetryRequested",
                               message: "quarantine of spec \(hash.prefix(12)) lifted by `mooring sync --retry`", deployment: name)
            return .lifted(specHash: hash)
        }
    }
}
