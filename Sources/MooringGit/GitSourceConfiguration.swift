import Foundation

/// Everything a ``GitSource`` needs: where the repository is, what to track, where to keep
/// the mirror, how to authenticate, and how long a silent fetch may take.
public struct GitSourceConfiguration: Sendable {
    /// The repository.
    public var location: SourceLocation
    /// The branch, tag or commit to track.
    public var reference: GitReference
    /// The controller's state directory; remote mirrors live in `<state>/git/`.
    public var stateDirectory: URL
    /// Credentials from the controller's config.
    public var credentials: GitCredentials
    /// A fetch that makes no progress (no bytes, no callback) for this long is abandoned.
    public var stallTimeout: Duration

    public init(
        location: SourceLocation, reference: GitReference = .defaultBranch, stateDirectory: URL,
        credentials: GitCredentials = .none, stallTimeout: Duration = .seconds(120)
    ) {
        self.location = location
        self.reference = reference
        self.stateDirectory = stateDirectory
        self.credentials = credentials
        self.stallTimeout = stallTimeout
    }
}
