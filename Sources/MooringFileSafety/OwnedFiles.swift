#if canImport(Glibc)
import Glibc
#endif

/// File-system operations for a directory tree only the current user may change — the
/// controller's state directory and everything in it.
///
/// The rules, the same everywhere: nothing inside is a symbolic link (files are opened with
/// `O_NOFOLLOW`, directories checked with `lstat`); everything belongs to the effective
/// user; nothing is writable by group or others; files are created `0600` and directories
/// `0700`; a file opened for writing has exactly one name (a hard link could point at a
/// file elsewhere). A path that breaks a rule is refused with an ``UnsafePathError`` that
/// names it and says how to fix it — never repaired by following it.
public enum OwnedFiles {
    /// Mode of every file Mooring creates in its state directory.
    public static let fileMode: mode_t = 0o600
    /// Mode of every directory Mooring creates in its state directory.
    public static let directoryMode: mode_t = 0o700

    /// The user everything must belong to: the effective uid of this process.
    public static var user: uid_t { geteuid() }

    /// `lstat(path)`: what the path itself is (a symlink is not followed); nil when nothing
    /// is there.
    public static func linkStatus(_ path: String) throws -> stat? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw UnsafePathError.system("lstat", path: path, doing: "inspect", errno: code)
        }
        return info
    }

    /// Checks that `path` is a directory (not a symlink to one) that belongs to the user
    /// and that group and others cannot write.
    public static func checkDirectory(_ path: String) throws {
        guard let info = try linkStatus(path) else {
            throw UnsafePathError(.missing, path: path, "\(path) does not exist")
        }
        try checkDirectory(info, path: path)
    }

    /// What `path` stands for when its last component is a symbolic link that root or the
    /// user made (an administrator's `/var/lib/mooring -> /data/mooring`): the link's
    /// resolved target. `path` itself when it is not a link (or does not exist). A link
    /// made by anyone else is refused: they could point it anywhere.
    public static func trustedTarget(of path: String) throws -> String {
        guard let info = try linkStatus(path), info.st_mode & S_IFMT == S_IFLNK else { return path }
        guard info.st_uid == 0 || info.st_uid == user else {
            throw UnsafePathError(.wrongOwner, path: path,
                "\(path) is a symbolic link made by uid \(info.st_uid), who could point it anywhere; remove it (`rm \(path)`) or use another --state-dir")
        }
        guard let target = realPath(path) else {
            throw UnsafePathError(.missing, path: path,
                "\(path) is a symbolic link to nothing; create its target or remove it (`rm \(path)`)")
        }
        return target
    }

    /// Creates `path` as a directory with mode `0700` — and any missing parent, also `0700` —
    /// or checks the existing one with ``checkDirectory(_:)``. With `tighten`, an existing
    /// directory that passes is set to `0700` (older Mooring versions made them `0755`).
    /// With `followingTrustedLink`, a last component that is a link of root's or the
    /// user's stands for its target (``trustedTarget(of:)``), which is checked instead.
    public static func makeDirectory(_ path: String, tighten: Bool = true, followingTrustedLink: Bool = false) throws {
        if followingTrustedLink {
            let target = try trustedTarget(of: path)
            if target != path {
                try checkDirectory(target)
                if tighten && chmod(target, directoryMode) != 0 {
                    throw UnsafePathError.system("chmod", path: target, doing: "make private (0700)", errno: errno)
                }
                return
            }
        }
        var missing: [String] = []
        var cursor = path
        while try linkStatus(cursor) == nil {
            missing.append(cursor)
            let parent = parentPath(of: cursor)
            guard parent != cursor else { break }
            cursor = parent
        }
        for directory in missing.reversed() {
            if mkdir(directory, directoryMode) != 0 && errno != EEXIST {
                throw UnsafePathError.system("mkdir", path: directory, doing: "create the directory", errno: errno)
            }
        }
        try checkDirectory(path)
        if tighten && chmod(path, directoryMode) != 0 {
            throw UnsafePathError.system("chmod", path: path, doing: "make private (0700)", errno: errno)
        }
    }

    /// Checks an existing file without following it: a regular file that belongs to the
    /// user and that group and others cannot write. Returns false when nothing is there.
    public static func checkFile(_ path: String) throws -> Bool {
        guard let info = try linkStatus(path) else { return false }
        try checkFile(info, path: path, writing: false)
        return true
    }

    /// Opens the file at `path` with `flags` (`O_CREAT` creates it `0600`), never following
    /// a symlink, relative to its directory's descriptor.
    ///
    /// The directory (its last component may be a link the caller trusts, such as a state
    /// directory configured through one) must belong to the user and not be writable by
    /// group or others; the file must be a regular file of the user's. A file opened for
    /// writing must have one name only and is set to `0600`. Returns the descriptor
    /// (close-on-exec); the caller closes it.
    public static func open(_ path: String, flags: Int32) throws -> Int32 {
        let directoryPath = parentPath(of: path)
        let name = lastComponent(of: path)
        let directory = Glibc.open(directoryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw UnsafePathError.system("open", path: directoryPath, doing: "open the directory", errno: errno)
        }
        defer { close(directory) }
        var directoryInfo = stat()
        guard fstat(directory, &directoryInfo) == 0 else {
            throw UnsafePathError.system("fstat", path: directoryPath, doing: "inspect", errno: errno)
        }
        try checkDirectory(directoryInfo, path: directoryPath)
        return try open(name, in: directory, shownAs: path, flags: flags)
    }

    /// ``open(_:flags:)`` for `name` in the already checked directory `directory`.
    public static func open(_ name: String, in directory: Int32, shownAs path: String, flags: Int32) throws -> Int32 {
        // O_NONBLOCK so a FIFO planted under the name cannot hang the open; cleared below.
        let descriptor = openat(directory, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, fileMode)
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP {
                throw symlinkError(path)
            }
            if code == ENOENT {
                throw UnsafePathError(.missing, path: path, "\(path) does not exist", errno: code)
            }
            throw UnsafePathError.system("open", path: path, doing: "open", errno: code)
        }
        do {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                throw UnsafePathError.system("fstat", path: path, doing: "inspect", errno: errno)
            }
            let writing = flags & (O_WRONLY | O_RDWR) != 0
            try checkFile(info, path: path, writing: writing)
            if writing && info.st_mode & 0o7777 != fileMode && fchmod(descriptor, fileMode) != 0 {
                throw UnsafePathError.system("fchmod", path: path, doing: "make private (0600)", errno: errno)
            }
            let status = fcntl(descriptor, F_GETFL)
            if status >= 0 { _ = fcntl(descriptor, F_SETFL, status & ~O_NONBLOCK) }
            return descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// Checks every directory above `path` (symlinks resolved): each must belong to root
    /// or the user, and none may be writable by group or others unless it is sticky (like
    /// `/tmp`, where only an entry's owner may rename or remove it). Otherwise someone else
    /// could move the state directory away and put their own in its place.
    public static func checkAncestors(of path: String) throws {
        // The nearest directory above that exists (the rest will be created 0700).
        var existing = parentPath(of: path)
        while realPath(existing) == nil && existing != "/" && existing != "." {
            existing = parentPath(of: existing)
        }
        guard let resolved = realPath(existing) else {
            throw UnsafePathError(.missing, path: existing, "\(existing) does not exist")
        }
        var current = resolved
        while true {
            var info = stat()
            guard stat(current, &info) == 0 else {
                throw UnsafePathError.system("stat", path: current, doing: "inspect", errno: errno)
            }
            if info.st_uid != 0 && info.st_uid != user {
                throw UnsafePathError(.wrongOwner, path: current,
                    "\(current) (above \(path)) belongs to uid \(info.st_uid), who could replace \(path) with a directory of their own; "
                    + "keep Mooring's state under directories owned by root or uid \(user)")
            }
            if info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0 {
                throw UnsafePathError(.writableByOthers, path: current,
                    "\(current) (above \(path)) is writable by \(writers(info.st_mode)) (mode \(octal(info.st_mode))), who could replace \(path); "
                    + "run `chmod go-w \(current)` or keep the state elsewhere")
            }
            if current == "/" { break }
            current = parentPath(of: current)
        }
    }

    // MARK: - Checks on a stat

    static func checkDirectory(_ info: stat, path: String) throws {
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { throw symlinkError(path) }
        guard type == S_IFDIR else {
            throw UnsafePathError(.notDirectory, path: path, "\(path) is not a directory; move it aside (`mv \(path) \(path).old`) and start again")
        }
        try checkOwner(info, path: path)
        if info.st_mode & 0o022 != 0 {
            throw UnsafePathError(.writableByOthers, path: path,
                "\(path) is writable by \(writers(info.st_mode)) (mode \(octal(info.st_mode))): anyone who can write it could plant files Mooring would trust; "
                + "check what is in it, then run `chmod 700 \(path)`")
        }
    }

    static func checkFile(_ info: stat, path: String, writing: Bool) throws {
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { throw symlinkError(path) }
        guard type == S_IFREG else {
            throw UnsafePathError(.notRegularFile, path: path, "\(path) is not a regular file; remove it (`rm \(path)`) and start again")
        }
        try checkOwner(info, path: path)
        if info.st_mode & 0o022 != 0 {
            throw UnsafePathError(.writableByOthers, path: path,
                "\(path) is writable by \(writers(info.st_mode)) (mode \(octal(info.st_mode))); check it, then run `chmod 600 \(path)`")
        }
        if writing && info.st_nlink > 1 {
            throw UnsafePathError(.hardLinked, path: path,
                "\(path) has \(info.st_nlink) names (a hard link may tie it to a file elsewhere), so Mooring will not write it; remove it (`rm \(path)`)")
        }
    }

    static func checkOwner(_ info: stat, path: String) throws {
        guard info.st_uid == user else {
            throw UnsafePathError(.wrongOwner, path: path,
                "\(path) belongs to uid \(info.st_uid), not to this user (uid \(user)): someone else may have put it there. "
                + "Run Mooring as uid \(info.st_uid), or check what is in it and then `chown -R \(user) \(path)`, or use another --state-dir")
        }
    }

    static func symlinkError(_ path: String) -> UnsafePathError {
        UnsafePathError(.symlink, path: path,
            "\(path) is a symbolic link; Mooring never follows links inside its state directory. Check where it points, then remove it (`rm \(path)`)")
    }

    // MARK: - Paths

    /// The directory part of `path` (`/` for `/x`, `.` for `x`).
    public static func parentPath(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component of `path`.
    public static func lastComponent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `realpath(3)`, or nil when the path does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func writers(_ mode: mode_t) -> String {
        switch (mode & 0o020 != 0, mode & 0o002 != 0) {
        case (true, true): return "its group and others"
        case (true, false): return "its group"
        default: return "others"
        }
    }

    static func octal(_ mode: mode_t) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
