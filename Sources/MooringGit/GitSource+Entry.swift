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
        let repository = try openRepository()
        let (id, isTree) = try repository.entry(at: commit, path: path)
        guard !isTree else {
            throw GitError(code: .pathNotFound, message: "`\(path)` is a directory at \(commit.short), not a file", function: nil)
        }
        return try repository.withBlob(id) { Data($0) }
    }
}
