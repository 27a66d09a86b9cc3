import Foundation
import MooringDigest
import MooringGit
import MooringManifests
import Synchronization

/// A commit's tree seen as a repository, so manifest validation checks model paths
/// against exactly the revision being applied — not whatever is on disk — and every
/// model gets the Git object id of its path as content identity (`model.contentID`).
///
/// The tree is opened once (``CommitTree``) and what each path is, and its object id,
/// are remembered: 1,000 deployments naming ten model files cost ten lookups.
public struct GitTreeRepository: RepositoryView {
    /// The commit's tree, open.
    public let tree: CommitTree
    private let memo = Memo()

    public init(tree: CommitTree) {
        self.tree = tree
    }

    /// Opens the tree of `commit` in `source`.
    public init(source: GitSource, commit: ObjectID) throws {
        self.init(tree: try source.commitTree(at: commit))
    }

    public func entry(at path: String) -> RepositoryEntry {
        if let known = memo.entries.withLock({ $0[path] }) { return known }
        let entry: RepositoryEntry
        do {
            switch try tree.entry(at: path) {
            case .file: entry = .file
            case .directory: entry = .directory
            case let .symlink(target): entry = .symlink(target: target)
            }
        } catch {
            entry = .missing  // not there, or unreadable: validation says the path is missing
        }
        memo.entries.withLock { $0[path] = entry }
        return entry
    }

    public func contents(at path: String) -> Data? {
        try? tree.withBlob(at: path) { Data($0) }
    }

    /// Hashes the blob where libgit2 holds it, without copying it into a `Data`.
    public func sha256(at path: String) throws -> String? {
        try tree.withBlob(at: path) { SHA256Digest.hex($0) }
    }

    /// The blob id of a file, the tree id of a directory (40 hex digits): any change to
    /// the file, or to any file, name or mode inside the directory, changes it.
    public func contentID(at path: String) throws -> String? {
        if let known = memo.contentIDs.withLock({ $0[path] }) { return known }
        let id = try tree.objectID(at: path).hex
        memo.contentIDs.withLock { $0[path] = id }
        return id
    }

    /// What was already looked up in this tree (it never changes: the commit is fixed).
    private final class Memo: Sendable {
        let entries = Mutex<[String: RepositoryEntry]>([:])
        let contentIDs = Mutex<[String: String]>([:])
    }
}
