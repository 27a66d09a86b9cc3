import CLibGit2
import Foundation

/// One open libgit2 repository. Not shared across threads: each operation opens its own.
final class Repository {
    let handle: GitHandle
    let ledger: HandleLedger
    let path: String
    var pointer: OpaquePointer { handle.pointer }

    private init(handle: GitHandle, ledger: HandleLedger, path: String) {
        self.handle = handle
        self.ledger = ledger
        self.path = path
    }

    /// Opens the repository at `path` exactly (no search in parent directories).
    static func open(_ path: String, ledger: HandleLedger) throws -> Repository {
        LibGit2.ensureInitialized()
        let handle = try GitHandle.make(
            "git_repository_open_ext", ledger: ledger, release: git_repository_free,
            context: "cannot open repository `\(path)`"
        ) { out in
            git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        }
        return Repository(handle: handle, ledger: ledger, path: path)
    }

    /// Creates an empty bare repository at `path` and opens it.
    static func initBare(_ path: String, ledger: HandleLedger) throws -> Repository {
        LibGit2.ensureInitialized()
        let handle = try GitHandle.make(
            "git_repository_init", ledger: ledger, release: git_repository_free,
            context: "cannot create mirror `\(path)`"
        ) { out in
            git_repository_init(out, path, 1)
        }
        return Repository(handle: handle, ledger: ledger, path: path)
    }

    /// Looks a commit up; a missing one is `notFound`.
    func commit(_ id: ObjectID) throws -> GitHandle {
        var oid = id.oid
        return try GitHandle.make(
            "git_commit_lookup", ledger: ledger, release: git_commit_free,
            context: "commit \(id.short) not found in `\(path)`"
        ) { out in
            git_commit_lookup(out, pointer, &oid)
        }
    }

    /// The root tree of a commit.
    func tree(of commit: GitHandle, id: ObjectID) throws -> GitHandle {
        try GitHandle.make(
            "git_commit_tree", ledger: ledger, release: git_tree_free,
            context: "cannot read the tree of commit \(id.short)"
        ) { out in
            git_commit_tree(out, commit.pointer)
        }
    }

    /// A tree by id.
    func tree(_ id: ObjectID) throws -> GitHandle {
        var oid = id.oid
        return try GitHandle.make(
            "git_tree_lookup", ledger: ledger, release: git_tree_free,
            context: "tree \(id.short) not found"
        ) { out in
            git_tree_lookup(out, pointer, &oid)
        }
    }

    /// Metadata of a commit, copied out of C memory.
    func commitInfo(_ id: ObjectID) throws -> CommitInfo {
        let commit = try self.commit(id)
        let author = git_commit_author(commit.pointer)
        let name = author?.pointee.name.map { String(cString: $0) } ?? ""
        let email = author?.pointee.email.map { String(cString: $0) } ?? ""
        let seconds = author?.pointee.when.time ?? git_commit_time(commit.pointer)
        let subject = git_commit_summary(commit.pointer).map { String(cString: $0) } ?? ""
        let message = git_commit_message(commit.pointer).map { String(cString: $0) } ?? ""
        let committer = git_commit_committer(commit.pointer)
        return CommitInfo(
            id: id, author: name, authorEmail: email, time: Date(timeIntervalSince1970: TimeInterval(seconds)),
            subject: subject, message: message,
            committer: committer?.pointee.name.map { String(cString: $0) } ?? "",
            committerEmail: committer?.pointee.email.map { String(cString: $0) } ?? "")
    }

    /// Whether `commit` descends from `ancestor` (false when either is missing).
    func isDescendant(_ commit: ObjectID, of ancestor: ObjectID) -> Bool {
        var a = commit.oid
        var b = ancestor.oid
        return git_graph_descendant_of(pointer, &a, &b) == 1
    }

    /// Whether an object with this id exists in the object database.
    func contains(_ id: ObjectID) -> Bool {
        (try? commit(id)) != nil
    }
}
