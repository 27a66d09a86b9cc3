import CLibGit2

extension Repository {
    /// The commit a full reference name (`refs/heads/main`, `refs/tags/v1`) points at,
    /// peeled through annotated tags; nil when the reference does not exist.
    func commitID(forReference name: String) throws -> ObjectID? {
        var raw: OpaquePointer?
        let result = git_reference_lookup(&raw, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        guard result >= 0, let raw else {
            throw GitError.libgit2(result, function: "git_reference_lookup", context: "cannot read reference `\(name)`")
        }
        let reference = GitHandle(raw, ledger: ledger, release: git_reference_free)
        let object = try GitHandle.make(
            "git_reference_peel", ledger: ledger, release: git_object_free,
            context: "reference `\(name)` does not point at a commit"
        ) { out in
            git_reference_peel(out, reference.pointer, GIT_OBJECT_COMMIT)
        }
        guard let id = git_object_id(object.pointer) else { return nil }
        return ObjectID(id)
    }

    /// The branch `HEAD` names (`main` for `refs/heads/main`), or nil when `HEAD` is
    /// detached or missing.
    func headBranch() throws -> String? {
        var raw: OpaquePointer?
        let result = git_reference_lookup(&raw, pointer, "HEAD")
        if result == GIT_ENOTFOUND.rawValue { return nil }
        guard result >= 0, let raw else {
            throw GitError.libgit2(result, function: "git_reference_lookup", context: "cannot read HEAD of `\(path)`")
        }
        let head = GitHandle(raw, ledger: ledger, release: git_reference_free)
        guard let target = git_reference_symbolic_target(head.pointer) else { return nil }
        let name = String(cString: target)
        let prefix = "refs/heads/"
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }

    /// Points `HEAD` at `refs/heads/<branch>` (for a mirror, recording the remote's default).
    func setHead(branch: String) throws {
        var raw: OpaquePointer?
        let result = git_reference_symbolic_create(&raw, pointer, "HEAD", "refs/heads/\(branch)", 1, nil)
        guard result >= 0, let raw else {
            throw GitError.libgit2(
                result, function: "git_reference_symbolic_create", context: "cannot record the default branch", mirror: true)
        }
        _ = GitHandle(raw, ledger: ledger, release: git_reference_free)
    }

    /// Any revision Git understands (branch, tag, full or short SHA, `main~1`) as a commit.
    func resolveRevision(_ spec: String) throws -> ObjectID? {
        var raw: OpaquePointer?
        let result = git_revparse_single(&raw, pointer, spec)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        guard result >= 0, let raw else {
            throw GitError.libgit2(result, function: "git_revparse_single", context: "cannot resolve `\(spec)`")
        }
        let object = GitHandle(raw, ledger: ledger, release: git_object_free)
        let commit = try GitHandle.make(
            "git_object_peel", ledger: ledger, release: git_object_free,
            context: "`\(spec)` does not name a commit"
        ) { out in
            git_object_peel(out, object.pointer, GIT_OBJECT_COMMIT)
        }
        guard let id = git_object_id(commit.pointer) else { return nil }
        return ObjectID(id)
    }
}
