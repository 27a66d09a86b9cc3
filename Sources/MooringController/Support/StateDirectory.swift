import Foundation
import MooringFileSafety
#if canImport(Glibc)
import Glibc
#endif

/// The one place that decides whether a state directory may be trusted.
///
/// A controller often runs as root and runs what it finds in its state directory
/// (revision exports), appends to files there (logs) and rewrites others (lock, database).
/// Whoever can write the directory — or replace it — could make it overwrite any file or
/// run their own code. So before anything is read or written:
///
/// - the directory belongs to this process's user and nobody else can write it (mode
///   `0700` once prepared); a symbolic link at its path is accepted only when the link
///   belongs to root or the user (an administrator's `/var/lib/mooring -> /data/mooring`);
/// - every directory above it belongs to root or the user and is not writable by others
///   unless sticky (`/tmp`), so nobody can swap it for their own;
/// - `lock`, `state.sqlite`, `logs/`, `revisions/` and `git/`, when present, are what they
///   should be (no symlinks, owned by the user, not writable by others).
///
/// Files inside are then opened with `O_NOFOLLOW` by their owners (``StateLock``, the
/// state store, the supervisor's log files, the Git source's exports). See `docs/security.md`.
public enum StateDirectory {
    /// For `mooring run`: creates the directory (`0700`, with `logs/` and `revisions/`) or
    /// checks the existing one and makes it private, and returns its layout. Call it before
    /// ``StateLock/acquire(at:)``. Throws ``ControllerError`` with code `stateDirectory`,
    /// naming the offending path and the command that fixes it.
    @discardableResult
    public static func prepare(at root: URL) throws -> StateLayout {
        let layout = StateLayout(root: root)
        let path = layout.root.path
        try check {
            try OwnedFiles.checkAncestors(of: path)
            try checkLink(at: path)
            try OwnedFiles.makeDirectory(path, followingTrustedLink: true)
            try checkContents(layout)
            try OwnedFiles.makeDirectory(layout.logs.path)
            try OwnedFiles.makeDirectory(layout.revisions.path)
        }
        return layout
    }

    /// For commands that only read (`status`, `history`, `events`, `logs`, `plan`) or that
    /// act through the recorded state (`sync`, `down`): checks the existing directory with
    /// the same rules as ``prepare(at:)`` but changes nothing. A directory of another user
    /// is refused with the user it belongs to and what to run instead.
    @discardableResult
    public static func verify(at root: URL) throws -> StateLayout {
        let layout = StateLayout(root: root)
        let path = layout.root.path
        try check {
            try OwnedFiles.checkAncestors(of: path)
            try checkLink(at: path)
            guard let resolved = OwnedFiles.realPath(path) else {
                throw UnsafePathError(.missing, path: path,
                    "no state directory at \(path): is `mooring run` using another --state-dir?")
            }
            try OwnedFiles.checkDirectory(resolved)
            try checkContents(layout)
        }
        return layout
    }

    /// A symlink at the state directory's own path must belong to root or the user; its
    /// target is then checked like the directory itself (ancestors included).
    private static func checkLink(at path: String) throws {
        let target = try OwnedFiles.trustedTarget(of: path)
        if target != path { try OwnedFiles.checkAncestors(of: target) }
    }

    /// What must hold of the entries a controller uses, when they exist.
    private static func checkContents(_ layout: StateLayout) throws {
        for directory in [layout.logs, layout.revisions, layout.artifacts, layout.root.appendingPathComponent("git")] {
            if try OwnedFiles.linkStatus(directory.path) != nil {
                try OwnedFiles.checkDirectory(directory.path)
            }
        }
        for file in [layout.lock, layout.database] {
            _ = try OwnedFiles.checkFile(file.path)
        }
    }

    private static func check(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as UnsafePathError where error.code == .missing {
            throw ControllerError(.stateDirectory, error.message)
        } catch let error as UnsafePathError {
            throw ControllerError(.stateDirectory, "refusing the state directory: \(error.message)")
        }
    }
}
