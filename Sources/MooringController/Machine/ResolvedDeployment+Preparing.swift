import Foundation
import MooringManifests

/// What the `Preparing` phase means for a spec: exporting the revision, and for a remote
/// model fetching its artifact, with `model.downloadDeadlineSeconds` instead of the
/// progress deadline (which starts again once the artifact is verified).
extension ResolvedDeployment {
    /// Whether `{{model.path}}` comes from the artifact cache.
    var hasRemoteModel: Bool { model?.location.isRemote ?? false }

    /// How long `Preparing` may take.
    var preparingDeadlineSeconds: Int {
        guard hasRemoteModel, let model else { return rollout.progressDeadlineSeconds }
        return model.downloadDeadline
    }

    /// The rollout's detail before the first progress report.
    func preparingDetail(revision: String) -> String {
        guard hasRemoteModel, let model else { return "exporting revision \(short(revision))" }
        return "fetching \(model.uri)"
    }

    /// Why `Preparing` failed when its deadline passed.
    var preparingDeadlineMessage: String {
        guard hasRemoteModel, let model else {
            return "not prepared within progressDeadlineSeconds (\(rollout.progressDeadlineSeconds)s)"
        }
        return "the model artifact \(model.uri) was not downloaded within downloadDeadlineSeconds (\(model.downloadDeadline)s); what was downloaded is kept and resumed by the next attempt"
    }
}
