import Foundation

/// What one path is in a commit's tree.
public enum TreeEntryKind: Sendable, Hashable {
    case file
    case directory
    /// A symbolic link and its target as committed.
    case symlink(target: String)
}

extension GitSource {
    /// What `path` is at `commit`: a `pathNotFound` error when nothing is there.
    /// Intermediate symlinks are not followed (the caller resolves them).
    public func entry(at commit: ObjectID, path: String) throws -> TreeEntryKind {
        let repository = try openRepository()
        let (_, isTree) = try repository.entry(at: commit, path: path)
        if isTree { return .directory }
        guard let walked = try repository.walk(at: commit, path: path).first else { return .file }
        switch walked.kind {
        case .symlink:
            let target = try repository.withBlob(walked.id) { String(decoding: $0, as: UTF8.self) }
            return .symlink(target: target)
        case .tree:
            return .directory
        case .regular, .executable, .submodule:
            return .file
        }
    }

    /// The bytes of the file at `path` in `commit`.
    public func blob(at commit: ObjectID, path: String) throws -> Data {
        try withBlob(at: commit, path: path) { Data($0) }
    }

    /// Calls `body` with the bytes of the file at `path` in `commit`, read in place from
    /// libgit2's copy (not copied again), so a large file is hashed without a second
    /// copy. The bytes are valid only inside `body`.
    public func withBlob<T>(at commit: ObjectID, path: String, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let repository = try openRepository()
        let (id, isTree) = try repository.entry(at: commit, path: path)
        guard !isTree else {
            throw GitError(code: .pathNotFound, message: "`\(path)` is a directory at \(commit.short), not a file", function: nil)
        }
        return try repository.withBlob(id, body)
    }

    /// The id of the object at `path` in `commit` — a blob for a file or symlink, a tree
    /// for a directory — without reading it. It changes whenever any byte under the path
    /// (or any name or file mode inside a directory) does, so it identifies the content.
    /// A missing path is a `pathNotFound` error.
    public func objectID(at commit: ObjectID, path: String) throws -> ObjectID {
        try openRepository().entry(at: commit, path: path).id
    }
}
