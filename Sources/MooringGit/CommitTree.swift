import CLibGit2
import Foundation

/// One commit's tree, held open: the repository and the root tree are opened once, and
/// every lookup starts from that root. Checking the model paths of 1,000 deployments is
/// then 1,000 path lookups, not 1,000 repository opens and commit reads.
///
/// Thread-safe (one lookup at a time); the libgit2 handles are freed when the last
/// reference to it goes.
public final class CommitTree: @unchecked Sendable {
    /// The commit whose tree this is.
    public let commit: ObjectID
    private let state: Locked

    private struct Handles {
        let repository: Repository
        let root: GitHandle
    }

    /// The libgit2 handles, used by one caller at a time (they are not thread-safe).
    private final class Locked {
        private let lock = NSLock()
        private let handles: Handles
        init(_ handles: Handles) { self.handles = handles }
        func withLock<T>(_ body: (Handles) throws -> T) rethrows -> T {
            try lock.withLock { try body(handles) }
        }
    }

    init(repository: Repository, commit: ObjectID) throws {
        self.commit = commit
        let commitHandle = try repository.commit(commit)
        let root = try repository.tree(of: commitHandle, id: commit)
        state = Locked(Handles(repository: repository, root: root))
    }

    /// What `path` is in this tree: a `pathNotFound` error when nothing is there.
    /// Intermediate symlinks are not followed (the caller resolves them).
    public func entry(at path: String) throws -> TreeEntryKind {
        try state.withLock { handles in
            let normalized = normalizeTreePath(path)
            if normalized.isEmpty { return .directory }
            let entry = try lookup(normalized, in: handles)
            switch git_tree_entry_filemode(entry.pointer) {
            case GIT_FILEMODE_TREE:
                return .directory
            case GIT_FILEMODE_LINK:
                let id = try entryID(entry, normalized)
                let target = try handles.repository.withBlob(id) { String(decoding: $0, as: UTF8.self) }
                return .symlink(target: target)
            default:
                return .file
            }
        }
    }

    /// The object id at `path` (a blob for a file or symlink, a tree for a directory),
    /// without reading it; a `pathNotFound` error when nothing is there.
    public func objectID(at path: String) throws -> ObjectID {
        try state.withLock { handles in
            let normalized = normalizeTreePath(path)
            if normalized.isEmpty {
                guard let id = git_tree_id(handles.root.pointer) else {
                    throw GitError(code: .other, message: "tree of \(commit.short) has no id", function: "git_tree_id")
                }
                return ObjectID(id)
            }
            return try entryID(lookup(normalized, in: handles), normalized)
        }
    }

    /// Calls `body` with the bytes of the file at `path`, read in place (valid only inside
    /// `body`). A directory or a missing path is a `pathNotFound` error.
    public func withBlob<T>(at path: String, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        try state.withLock { handles in
            let normalized = normalizeTreePath(path)
            let entry = try lookup(normalized, in: handles)
            guard git_tree_entry_type(entry.pointer) != GIT_OBJECT_TREE, !normalized.isEmpty else {
                throw GitError(code: .pathNotFound, message: "`\(path)` is a directory at \(commit.short), not a file", function: nil)
            }
            return try handles.repository.withBlob(entryID(entry, normalized), body)
        }
    }

    private func lookup(_ normalized: String, in handles: Handles) throws -> GitHandle {
        var raw: OpaquePointer?
        let result = git_tree_entry_bypath(&raw, handles.root.pointer, normalized)
        if result == GIT_ENOTFOUND.rawValue {
            throw GitError(code: .pathNotFound, message: "path `\(normalized)` not found at \(commit.short)",
                           function: "git_tree_entry_bypath")
        }
        guard result >= 0, let raw else {
            throw GitError.libgit2(result, function: "git_tree_entry_bypath", context: "cannot read `\(normalized)` at \(commit.short)")
        }
        return GitHandle(raw, ledger: handles.repository.ledger, release: git_tree_entry_free)
    }

    private func entryID(_ entry: GitHandle, _ normalized: String) throws -> ObjectID {
        guard let id = git_tree_entry_id(entry.pointer) else {
            throw GitError(code: .other, message: "entry `\(normalized)` has no id", function: "git_tree_entry_id")
        }
        return ObjectID(id)
    }
}

extension GitSource {
    /// The tree of `commit`, opened once for many lookups (model paths, content ids).
    public func commitTree(at commit: ObjectID) throws -> CommitTree {
        try CommitTree(repository: openRepository(), commit: commit)
    }
}
