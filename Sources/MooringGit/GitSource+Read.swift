import Foundation

extension GitSource {
    /// The id of the tree (folder) at `path` in `commit`. When it equals the id seen
    /// before, nothing under the path changed: one lookup, no parsing.
    ///
    /// A missing path is a `pathNotFound` error ("path `manifests` not found at abc1234"),
    /// never an empty desired state — and so is anything at `path` that is not a folder
    /// (a symlink, a file, a submodule), which would otherwise read as a folder with no
    /// manifests and remove every deployment.
    public func treeID(at commit: ObjectID, path: String) throws -> ObjectID {
        try openRepository().folder(at: commit, path: path)
    }

    /// Every file under the folder `path` at `commit` (recursively), with
    /// repository-relative paths, sorted by path. Submodules are skipped; symlinks are
    /// returned with their target as contents and are not followed. Like
    /// ``treeID(at:path:)``, a `pathNotFound` error when `path` is missing or not a folder.
    ///
    /// Only files whose path `including` accepts are returned. With `limits`, a blob's size
    /// is read from its header first: one over `limits.file`, or any once the files read so
    /// far pass `limits.total`, is returned with its size but without its contents — a
    /// hostile 50 MB manifest is never read into memory.
    public func files(at commit: ObjectID, under path: String, including: (String) -> Bool = { _ in true },
                      limits: (file: Int, total: Int)? = nil) throws -> [RepositoryFile] {
        let repository = try openRepository()
        _ = try repository.folder(at: commit, path: path)
        let sizeOf = try repository.objectSizes()
        var files: [RepositoryFile] = []
        var total = 0
        for entry in try repository.walk(at: commit, path: path).sorted(by: { $0.path < $1.path }) where including(entry.path) {
            let kind: RepositoryFile.Kind
            switch entry.kind {
            case .tree, .submodule: continue
            case .regular: kind = .regular
            case .executable: kind = .executable
            case .symlink: kind = .symlink
            }
            let size = try sizeOf(entry.id)
            if let limits, size > limits.file || total > limits.total {
                files.append(RepositoryFile(path: entry.path, contents: Data(), kind: kind, id: entry.id, size: size))
                continue
            }
            total += size
            let contents = try repository.withBlob(entry.id) { Data($0) }
            files.append(RepositoryFile(path: entry.path, contents: contents, kind: kind, id: entry.id))
        }
        return files
    }

    /// Repository-relative paths of the files added, modified or deleted under `path`
    /// between two commits, sorted. (A rename shows as its old and its new path.)
    public func changedFiles(from old: ObjectID, to new: ObjectID, under path: String) throws -> [String] {
        try openRepository().changedPaths(from: old, to: new, under: path)
    }

    /// Metadata of a commit that is already in the repository or mirror.
    public func commitInfo(_ id: ObjectID) throws -> CommitInfo {
        try openRepository().commitInfo(id)
    }
}
