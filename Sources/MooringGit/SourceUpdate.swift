/// The result of ``GitSource/update(previous:)``: the commit the tracked reference points
/// at now, and how it relates to the one the controller saw before.
public struct SourceUpdate: Sendable {
    /// The commit that is the desired state now.
    public let commit: CommitInfo
    /// The previous commit the caller passed in.
    public let previous: ObjectID?
    /// Set when the new commit does not descend from `previous` (a force-push or a moved
    /// tag rewrote history): an event-worthy fact, `rewritten from abc1234 to def5678`.
    public let rewrittenFrom: ObjectID?
    /// The branch the reference resolved to (for `.defaultBranch` and `.branch`).
    public let resolvedBranch: String?

    /// Whether the commit differs from `previous`.
    public var changed: Bool { previous != commit.id }

    /// A one-line description of a rewrite, e.g. `rewritten from abc1234 to def5678`.
    public var rewriteDescription: String? {
        rewrittenFrom.map { "rewritten from \($0.short) to \(commit.id.short)" }
    }
}
