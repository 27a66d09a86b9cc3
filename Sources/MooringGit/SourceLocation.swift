/// Where the manifests repository lives: a local path read in place, or a remote URL
/// mirrored under the state directory.
public enum SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// A repository on this host (work tree or bare), read straight from its object
    /// database: never fetched, its work tree and index never touched.
    case localPath(String)
    /// A remote repository (`file://`, `https://`, `http://`, `ssh://`, `git@host:path`),
    /// mirrored as a bare repository under `<state>/git/`.
    case remote(url: String)

    /// Decides from what a user typed (`--repo PATH|URL`): anything with `scheme://`, or
    /// scp-like `[user@]host:path` (a colon before the first slash, as Git itself decides),
    /// is a remote; everything else is a local path.
    public init(parsing text: String) {
        if text.contains("://") {
            self = .remote(url: text)
            return
        }
        if let colon = text.firstIndex(of: ":") {
            let before = text[..<colon]
            if !before.isEmpty, !before.contains("/") {
                self = .remote(url: text)
                return
            }
        }
        self = .localPath(text)
    }

    /// The location for messages, with URL user info scrubbed.
    public var description: String {
        switch self {
        case .localPath(let path): path
        case .remote(let url): scrubUserInfo(in: url)
        }
    }
}
