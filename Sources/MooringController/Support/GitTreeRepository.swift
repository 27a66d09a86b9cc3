import Foundation
import MooringGit
import MooringManifests

/// A commit's tree seen as a repository, so manifest validation checks model paths
/// against exactly the revision being applied — not whatever is on disk.
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
}
