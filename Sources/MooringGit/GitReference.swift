/// What the source tracks.
public enum GitReference: Sendable, Hashable, CustomStringConvertible {
    /// The remote's default branch (its `HEAD`), or a local repository's current branch.
    case defaultBranch
    /// A branch by name (`main`, not `refs/heads/main`).
    case branch(String)
    /// A tag by name; annotated tags are peeled to their commit. A moved tag is followed.
    case tag(String)
    /// A pinned full commit SHA.
    case commit(String)

    public var description: String {
        switch self {
        case .defaultBranch: "default branch"
        case .branch(let name): "branch `\(name)`"
        case .tag(let name): "tag `\(name)`"
        case .commit(let sha): "commit \(sha)"
        }
    }
}
