import Foundation
import MooringStore

extension StoreTransaction {
    /// The audit trail of a rollout that `transition` began: its commit's author, committer,
    /// subject, pull request and signer (recorded at fetch), and the spec fields it changes
    /// from what served before. Called by ``record(_:layout:)`` right after the rollout row
    /// is begun, in the same transaction.
    func recordAudit(of transition: Transition) throws {
        let desired = transition.after.desired.spec
        let specDiff = transition.after.applied.map { Planner.diff($0.spec, desired).map(\.field) } ?? []
        try stampRolloutAudit(of: transition.name, specDiff: specDiff)
    }
}
