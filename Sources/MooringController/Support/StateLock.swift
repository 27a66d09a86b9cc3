import Foundation
import MooringFileSafety
#if canImport(Glibc)
import Glibc
#endif

/// The lock that allows one controller per state directory: an exclusive `flock` on
/// `<state>/lock`, holding the owner's pid as text. The kernel drops it when the owner
/// dies, even by SIGKILL, so a crashed controller never leaves a stale lock.
public final class StateLock: Sendable {
    private let descriptor: Int32
    /// The locked file.
    public let url: URL

    private init(descriptor: Int32, url: URL) {
        self.descriptor = descriptor
        self.url = url
    }

    deinit {
        close(descriptor)
    }

    /// Takes the lock for this process, or throws `ControllerError.locked` naming the
    /// holder's pid.
    ///
    /// The lock's directory is created `0700` if missing and must belong to this user and
    /// not be writable by others, nor may the directories above it (sticky ones excepted); the lock file is opened relative to it with `O_NOFOLLOW`,
    /// created `0600`, and must be a regular file of this user's with one name. So nobody
    /// else can open it — not even to hold a shared `flock` that would block start-up —
    /// and a planted symlink never makes the controller truncate another file.
    /// (``StateDirectory/prepare(at:)`` checks the whole state directory first.)
    public static func acquire(at url: URL) throws -> StateLock {
        let fd: Int32
        do {
            let directory = url.deletingLastPathComponent().path
            try OwnedFiles.checkAncestors(of: directory)
            try OwnedFiles.checkAncestors(of: OwnedFiles.trustedTarget(of: directory))
            try OwnedFiles.makeDirectory(directory, tighten: false, followingTrustedLink: true)
            fd = try OwnedFiles.open(url.path, flags: O_RDWR | O_CREAT)
        } catch let error as UnsafePathError {
            throw ControllerError(.stateDirectory, "cannot take the lock \(url.path): \(error.message)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = readPID(fd)
            close(fd)
            let who = holder.map { "pid \($0)" } ?? "another process"
            throw ControllerError(.locked, "another controller (\(who)) is already running on \(url.deletingLastPathComponent().path) (it holds \(url.path)); stop it first, or give this one another --state-dir")
        }
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return StateLock(descriptor: fd, url: url)
    }

    /// The pid of the controller holding the lock at `url`, or `nil` when none runs (or the
    /// lock file is missing, or is not a private file of this user's).
    public static func holder(at url: URL) -> Int32? {
        let fd: Int32
        do {
            fd = try OwnedFiles.open(url.path, flags: O_RDONLY)
        } catch {
            // Missing: no controller ever ran. Unsafe: `StateDirectory.verify` explains it.
            return nil
        }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readPID(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
