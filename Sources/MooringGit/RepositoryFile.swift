import Foundation

/// One file of a tree at a commit.
public struct RepositoryFile: Sendable, Hashable {
    /// What kind of entry this is.
    public enum Kind: Sendable, Hashable {
        /// A regular file (mode 100644).
        case regular
        /// An executable file (mode 100755).
        case executable
        /// A symbolic link (mode 120000); its contents are the link target.
        case symlink
    }
    /// Repository-relative path, e.g. `manifests/team/a.yaml`.
    public let path: String
    /// The file's bytes (for a symlink, its target) — empty when the file was over a size
    /// limit and not read (see ``size``).
    public let contents: Data
    /// Regular, executable or symlink.
    public let kind: Kind
    /// The blob id.
    public let id: ObjectID
    /// The blob's size in bytes, from its header (also when its contents were not read).
    public let size: Int

    /// A file with its contents (`size` defaults to their count).
    public init(path: String, contents: Data, kind: Kind, id: ObjectID, size: Int? = nil) {
        self.path = path
        self.contents = contents
        self.kind = kind
        self.id = id
        self.size = size ?? contents.count
    }

    /// Whether the entry is a symbolic link.
    public var isSymlink: Bool { kind == .symlink }
}
