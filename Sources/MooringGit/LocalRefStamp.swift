import CLibGit2
import Foundation
import Synchronization

/// What an unchanged poll of a local repository needs to know without opening it: the
/// identity (device, inode, size, modification and change times) of every file the tracked
/// reference resolves through — `HEAD` (for the default branch), the loose ref, and
/// `packed-refs`, in the repository's common directory.
///
/// Git and libgit2 never rewrite a ref file in place: they write a lock file and rename it
/// over the old one, so a moved ref always has a new inode. A stamp equal to the last full
/// read's therefore means the reference still resolves to the same commit, and the poll
/// answers from memory. As a bound on anything that writes refs differently, a full read
/// happens at least every ``LocalRefStamp/maximumAge`` regardless.
struct LocalRefStamp: Equatable, Sendable {
    /// The longest an unchanged stamp stands in for a full read.
    static let maximumAge: Duration = .seconds(60)

    struct FileIdentity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec
        var changed: timespec

        static func == (a: Self, b: Self) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    /// One entry per file, in a fixed order; nil where the file does not exist.
    var files: [FileIdentity?]

    /// The files a reference resolves through, under the repository's git and common
    /// directories (both end with `/`, as libgit2 reports them).
    static func paths(gitDirectory: String, commonDirectory: String, reference: GitReference, branch: String?) -> [String] {
        var paths = [gitDirectory + "HEAD", commonDirectory + "packed-refs"]
        switch reference {
        case .defaultBranch, .branch:
            if let branch { paths.append(commonDirectory + "refs/heads/" + branch) }
        case .tag(let name):
            paths.append(commonDirectory + "refs/tags/" + name)
        case .commit:
            break
        }
        return paths
    }

    /// Stats `paths` (without following a final symlink).
    static func take(_ paths: [String]) -> LocalRefStamp {
        LocalRefStamp(files: paths.map { path in
            var info = stat()
            guard lstat(path, &info) == 0 else { return nil }
            return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                                modified: info.st_mtim, changed: info.st_ctim)
        })
    }
}

/// The last full read of a local source: the files it depended on, their stamp, when it was
/// taken, and what it resolved to.
struct LocalReadMemo: Sendable {
    var paths: [String]
    /// Nil when the stamp could not be taken before the read (the first read, or the
    /// branch behind `HEAD` changed): the next poll reads in full and takes one.
    var stamp: LocalRefStamp?
    var takenAt: ContinuousClock.Instant
    var update: SourceUpdate
}

extension Repository {
    /// The repository's git directory (`.git/` of a work tree, or the bare repository),
    /// ending with `/`.
    var gitDirectory: String? { git_repository_path(pointer).map { String(cString: $0) } }

    /// Where refs and objects live (differs from ``gitDirectory`` for a linked work tree).
    var commonDirectory: String? { git_repository_commondir(pointer).map { String(cString: $0) } }
}
