import MooringGit
import MooringManifests

/// What the source poller learned at one poll, handed to the controller's loop.
enum GitObservation: Sendable {
    /// A valid commit: every deployment it defines (the set is cached when the manifests
    /// tree did not change, so a new commit with the same tree costs no parse and no plan:
    /// only the desired revision moves).
    case valid(commit: CommitInfo, set: ManifestSet, treeChanged: Bool)
    /// The tip commit was rejected whole; `set` holds what could be resolved and every
    /// diagnostic, so the controller can tell which deployments it would have changed.
    case rejected(commit: CommitInfo, set: ManifestSet)
}
