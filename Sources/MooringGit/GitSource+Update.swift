import Foundation
import Logging

extension GitSource {
    /// Fetches the remote (or reads the local repository) and resolves the tracked
    /// reference. `previous` is the commit the caller last saw; when the new commit does
    /// not descend from it, the update reports `rewrittenFrom` (a force-push).
    ///
    /// A damaged mirror is deleted and re-cloned once before giving up.
    public func update(previous: ObjectID?) async throws -> SourceUpdate {
        guard isRemote else { return try readLocal(previous: previous) }
        var recreate = false
        while true {
            do {
                let outcome = try await fetch(recreate: recreate)
                let repository = try openRepository()
                do {
                    return try resolveTracked(in: repository, previous: previous, defaultBranch: outcome.defaultBranch)
                } catch let error as GitError where error.function != nil && [.other, .notFound].contains(error.code) {
                    // libgit2 itself failed to read what the fetch just wrote: the mirror is damaged.
                    throw GitError(
                        code: .corruptMirror, message: "mirror cannot be read: \(error.message)", function: error.function,
                        isRetryable: true, cause: error)
                }
            } catch let error as GitError where error.code == .corruptMirror && !recreate {
                logger.warning("mirror is damaged; re-cloning it", metadata: ["error": "\(error)"])
                recreate = true
            }
        }
    }

    /// Reads a local repository's tracked reference. When the files it resolves through are
    /// unchanged since the last full read (``LocalRefStamp``) and the caller saw that commit,
    /// answers from memory without opening the repository: an unchanged poll costs a few
    /// `lstat` calls. The stamp is taken *before* the read, so a ref moved during a read
    /// makes the next poll read again.
    private func readLocal(previous: ObjectID?) throws -> SourceUpdate {
        let clock = ContinuousClock()
        let now = clock.now
        let memo = localMemo.withLock { $0 }
        if let memo, let stamp = memo.stamp, memo.update.commit.id == previous,
           now < memo.takenAt.advanced(by: LocalRefStamp.maximumAge), LocalRefStamp.take(memo.paths) == stamp {
            return SourceUpdate(commit: memo.update.commit, previous: previous, rewrittenFrom: nil,
                                resolvedBranch: memo.update.resolvedBranch)
        }
        let before = memo.map { LocalRefStamp.take($0.paths) }
        let repository = try openRepository()
        let update = try resolveTracked(in: repository, previous: previous, defaultBranch: nil)
        if let gitDirectory = repository.gitDirectory, let commonDirectory = repository.commonDirectory {
            let paths = LocalRefStamp.paths(gitDirectory: gitDirectory, commonDirectory: commonDirectory,
                                            reference: configuration.reference, branch: update.resolvedBranch)
            let stamp = paths == memo?.paths ? before : nil
            localMemo.withLock { $0 = LocalReadMemo(paths: paths, stamp: stamp, takenAt: now, update: update) }
        }
        return update
    }

    /// Resolves any revision (branch, tag, full or short SHA, `main~1`) to a commit, for
    /// `mooring plan --ref`. For a remote, reads the mirror and fetches once when the
    /// revision is not there yet.
    public func resolve(_ revision: String) async throws -> CommitInfo {
        if isRemote, let mirror, !FileManager.default.fileExists(atPath: mirror.path) {
            _ = try await fetch(recreate: false)
        }
        if let found = try lookUp(revision) { return found }
        if isRemote {
            _ = try await fetch(recreate: false)
            if let found = try lookUp(revision) { return found }
        }
        throw GitError(
            code: .refNotFound,
            message: "revision `\(revision)` not found in \(configuration.location). Check the branch, tag or SHA")
    }

    private func lookUp(_ revision: String) throws -> CommitInfo? {
        let repository = try openRepository()
        guard let id = try repository.resolveRevision(revision) else { return nil }
        return try repository.commitInfo(id)
    }

    /// Resolves the configured reference in `repository` and compares it with `previous`.
    func resolveTracked(in repository: Repository, previous: ObjectID?, defaultBranch: String?) throws -> SourceUpdate {
        let location = configuration.location
        var branch: String?
        let id: ObjectID
        switch configuration.reference {
        case .defaultBranch, .branch:
            let name: String
            if case .branch(let given) = configuration.reference {
                name = given
            } else if let found = try defaultBranch ?? repository.headBranch() {
                name = found
            } else {
                throw GitError(
                    code: .refNotFound,
                    message: "\(location) has no default branch (HEAD is detached or missing). Configure a branch to track")
            }
            branch = name
            guard let found = try repository.commitID(forReference: "refs/heads/\(name)") else {
                throw GitError(
                    code: .refNotFound,
                    message: "branch `\(name)` not found in \(location) (deleted, or not pushed yet). "
                        + "Nothing is changed; fix the branch name or push the branch")
            }
            id = found
        case .tag(let name):
            guard let found = try repository.commitID(forReference: "refs/tags/\(name)") else {
                throw GitError(code: .refNotFound, message: "tag `\(name)` not found in \(location). Nothing is changed; check the tag")
            }
            id = found
        case .commit(let sha):
            guard let pinned = ObjectID(hex: sha), repository.contains(pinned) else {
                throw GitError(
                    code: .refNotFound, message: "pinned commit \(sha) not found in \(location). Check the SHA or push it")
            }
            id = pinned
        }

        let info: CommitInfo
        do {
            _ = try repository.tree(of: try repository.commit(id), id: id)
            info = try repository.commitInfo(id)
        } catch let error as GitError where isRemote {
            throw GitError(
                code: .corruptMirror, message: "mirror cannot read commit \(id.short): \(error.message)",
                function: error.function, isRetryable: true, cause: error)
        }

        var rewrittenFrom: ObjectID?
        if let previous, previous != id, !repository.isDescendant(id, of: previous) {
            rewrittenFrom = previous
            logger.warning(
                "history rewritten: rewritten from \(previous.short) to \(id.short)",
                metadata: ["reference": "\(configuration.reference)"])
        } else if previous != id {
            logger.debug("new commit", metadata: ["commit": "\(id.short)", "subject": "\(info.subject)"])
        }
        return SourceUpdate(commit: info, previous: previous, rewrittenFrom: rewrittenFrom, resolvedBranch: branch)
    }
}
