import Foundation
import MooringGit
import MooringManifests

/// A commit's tree seen as a repository, so manifest validation checks model paths
/// against exactly the revision being applied — not whatever is on disk — and every
/// model gets the Git object id of its path as content identity (`model.contentID`).
struct GitTreeRepository: RepositoryView {
    let source: GitSource
    let commit: ObjectID

    func entry(at path: String) -> RepositoryEntry {
        switch try? source.entry(at: commit, path: path) {
        case .none: return .missing
        case let .some(entry):
            switch entry {
            case .file: return .file
            case .directory: return .directory
            case let .symlink(target): return .symlink(target: target)
            }
        }
    }

    func contents(at path: String) -> Data? {
        try? source.blob(at: commit, path: path)
    }

    /// Hashes the blob where libgit2 holds it, without copying it into a `Data`.
    func sha256(at path: String) throws -> String? {
        try source.withBlob(at: commit, path: path) { SHA256Digest.hex($0) }
    }

    /// The blob id of a file, the tree id of a directory (40 hex digits): any change to
    /// the file, or to any file, name or mode inside the directory, changes it.
    func contentID(at path: String) throws -> String? {
        try source.objectID(at: commit, path: path).hex
    }
}
