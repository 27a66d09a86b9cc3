import Foundation
import MooringFileSafety

extension GitSource {
    /// Writes the whole tree of `commit` to `<revisionsDirectory>/<full sha>/` and returns
    /// that directory. The tree is built in a temporary sibling and renamed into place, so
    /// the directory appears complete or not at all; files and directories are read-only
    /// (`0400`/`0500`, executables `0500`), so a process running from it never sees it
    /// change. A completion marker `<full sha>.export` holding the commit's tree id is
    /// written last.
    ///
    /// An existing export is returned untouched only when this user wrote it: the
    /// directory and everything in it belong to this user, nothing in it is writable by
    /// group or others, and the marker names the commit's tree. Anything else — an export
    /// planted by someone else, or one an older Mooring wrote without a marker — is moved
    /// aside (`.replaced-<sha>-…`, removed by garbage collection once the revision is no
    /// longer in use, so a process running from it keeps its files) and exported afresh.
    /// `revisionsDirectory` itself is created `0700` and must belong to this user.
    public func export(commit: ObjectID, into revisionsDirectory: URL) throws -> URL {
        let fileManager = FileManager.default
        let final = revisionsDirectory.appendingPathComponent(commit.hex, isDirectory: true)
        let marker = Self.exportMarker(commit, in: revisionsDirectory)
        do {
            try OwnedFiles.makeDirectory(revisionsDirectory.path)
        } catch let error as UnsafePathError {
            throw GitError(code: .invalidConfiguration, message: "cannot export \(commit.short): \(error.message)", cause: error)
        }
        let repository = try openRepository()
        let treeID = try repository.entry(at: commit, path: "").id
        if try OwnedFiles.linkStatus(final.path) != nil {
            switch Self.verifyExport(final, marker: marker, treeID: treeID) {
            case .none:
                return final
            case let .some(reason):
                logger.warning("not reusing the export of \(commit.short): \(reason); exporting it afresh",
                               metadata: ["directory": "\(final.path)"])
                let aside = revisionsDirectory.appendingPathComponent(".replaced-\(commit.hex)-\(UUID().uuidString)")
                unlink(marker.path)
                guard rename(final.path, aside.path) == 0 else {
                    throw GitError.posix("rename", path: final.path, errno: errno, doing: "cannot move the untrusted export aside:")
                }
            }
        }
        let entries = try repository.walk(at: commit, path: "")
        let temporary = revisionsDirectory.appendingPathComponent(".tmp-\(commit.hex)-\(UUID().uuidString)", isDirectory: true)
        do {
            try makeDirectory(temporary.path)
            var directories = [temporary.path]
            for entry in entries {
                let target = temporary.appendingPathComponent(entry.path).path
                switch entry.kind {
                case .tree, .submodule:
                    try makeDirectory(target)
                    directories.append(target)
                case .regular, .executable:
                    try repository.withBlob(entry.id) { bytes in
                        try writeFile(target, bytes, mode: entry.kind == .executable ? 0o500 : 0o400)
                    }
                case .symlink:
                    let destination = try repository.withBlob(entry.id) { String(decoding: $0, as: UTF8.self) }
                    guard symlink(destination, target) == 0 else {
                        throw GitError.posix("symlink", path: target, errno: errno, doing: "cannot create symlink")
                    }
                }
            }
            for directory in directories.reversed() where chmod(directory, 0o500) != 0 {
                throw GitError.posix("chmod", path: directory, errno: errno, doing: "cannot make read-only")
            }
            if rename(temporary.path, final.path) != 0 {
                let code = errno
                guard code == EEXIST || code == ENOTEMPTY, fileManager.fileExists(atPath: final.path) else {
                    throw GitError.posix("rename", path: final.path, errno: code, doing: "cannot move the export into place at")
                }
                removeExport(temporary)  // Another export of the same commit won the race.
            }
            try writeMarker(marker, treeID: treeID)
        } catch {
            removeExport(temporary)
            throw error
        }
        logger.debug("exported revision", metadata: ["commit": "\(commit.short)", "directory": "\(final.path)"])
        return final
    }

    /// `<revisionsDirectory>/<full sha>.export`: written last, holds the tree id.
    static func exportMarker(_ commit: ObjectID, in revisionsDirectory: URL) -> URL {
        revisionsDirectory.appendingPathComponent("\(commit.hex).export")
    }

    /// Why the existing export at `directory` cannot be reused; nil when it can.
    static func verifyExport(_ directory: URL, marker: URL, treeID: ObjectID) -> String? {
        do {
            guard try OwnedFiles.checkFile(marker.path) else { return "it has no completion marker (\(marker.lastPathComponent))" }
            let descriptor = try OwnedFiles.open(marker.path, flags: O_RDONLY)
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: 128)
            let count = read(descriptor, &buffer, buffer.count)
            let recorded = String(decoding: buffer[..<max(0, count)], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard recorded == treeID.hex else {
                return "its completion marker names tree \(recorded.prefix(12)), not \(treeID.short)"
            }
            try OwnedFiles.checkDirectory(directory.path)
            try checkTree(directory.path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Checks everything under `path` (never following a link): each entry belongs to this
    /// user and no file or directory is writable by group or others.
    private static func checkTree(_ path: String) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw UnsafePathError(.system, path: path, "cannot list \(path): \(error.localizedDescription)")
        }
        for name in names {
            let child = path + "/" + name
            guard let info = try OwnedFiles.linkStatus(child) else { continue }
            guard info.st_uid == OwnedFiles.user else {
                throw UnsafePathError(.wrongOwner, path: child, "\(child) belongs to uid \(info.st_uid)")
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                continue
            case S_IFDIR:
                if info.st_mode & 0o022 != 0 {
                    throw UnsafePathError(.writableByOthers, path: child, "\(child) is writable by group or others")
                }
                try checkTree(child)
            case S_IFREG:
                if info.st_mode & 0o022 != 0 {
                    throw UnsafePathError(.writableByOthers, path: child, "\(child) is writable by group or others")
                }
            default:
                throw UnsafePathError(.notRegularFile, path: child, "\(child) is neither a file, a directory nor a link")
            }
        }
    }

    /// Removes every export in `revisionsDirectory` whose commit is not in `keeping`, and
    /// any half-built temporary export left by a crash. Returns the commits removed.
    public func garbageCollectExports(in revisionsDirectory: URL, keeping: Set<ObjectID>) throws -> [ObjectID] {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: revisionsDirectory.path) else { return [] }
        let names: [String]
        do { names = try fileManager.contentsOfDirectory(atPath: revisionsDirectory.path) } catch {
            throw GitError(
                code: .other, message: "cannot list `\(revisionsDirectory.path)`: \(error.localizedDescription)",
                cause: GitErrorCause(error))
        }
        var removed: [ObjectID] = []
        for name in names {
            let url = revisionsDirectory.appendingPathComponent(name)
            if let id = ObjectID(hex: name) {
                guard !keeping.contains(id) else { continue }
                unlink(Self.exportMarker(id, in: revisionsDirectory).path)
                removeExport(url)
                if fileManager.fileExists(atPath: url.path) {
                    throw GitError(code: .other, message: "cannot remove the unused export `\(url.path)`")
                }
                removed.append(id)
            } else if name.hasSuffix(".export"), let id = ObjectID(hex: String(name.dropLast(".export".count))) {
                // A marker whose export is gone (or never finished).
                if !keeping.contains(id) || !fileManager.fileExists(atPath: revisionsDirectory.appendingPathComponent(id.hex).path) {
                    unlink(url.path)
                }
            } else if name.hasPrefix(".tmp-") {
                removeExport(url)
            } else if name.hasPrefix(".replaced-") {
                // Kept while its revision is in use: a process may still run from it.
                let hex = name.dropFirst(".replaced-".count).prefix(40)
                if let id = ObjectID(hex: String(hex)), keeping.contains(id) { continue }
                removeExport(url)
            }
        }
        if !removed.isEmpty {
            logger.debug("removed unused exports", metadata: ["count": "\(removed.count)"])
        }
        return removed.sorted()
    }
}

/// Writes the completion marker through a temporary file renamed into place, `0400`.
private func writeMarker(_ marker: URL, treeID: ObjectID) throws {
    let temporary = marker.deletingLastPathComponent().appendingPathComponent(".tmp-\(marker.lastPathComponent)-\(UUID().uuidString)").path
    do {
        let descriptor = try OwnedFiles.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
        defer { close(descriptor) }
        let text = Array((treeID.hex + "\n").utf8)
        guard write(descriptor, text, text.count) == text.count, fchmod(descriptor, 0o400) == 0 else {
            throw GitError.posix("write", path: temporary, errno: errno, doing: "cannot write the export marker")
        }
    } catch let error as UnsafePathError {
        throw GitError(code: .other, message: "cannot write the export marker: \(error.message)", cause: error)
    }
    guard rename(temporary, marker.path) == 0 else {
        let code = errno
        unlink(temporary)
        throw GitError.posix("rename", path: marker.path, errno: code, doing: "cannot put the export marker in place at")
    }
}

private func makeDirectory(_ path: String) throws {
    guard mkdir(path, 0o700) == 0 else {
        throw GitError.posix("mkdir", path: path, errno: errno, doing: "cannot create directory")
    }
}

private func writeFile(_ path: String, _ bytes: UnsafeRawBufferPointer, mode: mode_t) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    guard descriptor >= 0 else {
        throw GitError.posix("open", path: path, errno: errno, doing: "cannot create")
    }
    defer { close(descriptor) }
    var offset = 0
    while offset < bytes.count, let base = bytes.baseAddress {
        let written = write(descriptor, base + offset, bytes.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            throw GitError.posix("write", path: path, errno: errno, doing: "cannot write")
        }
        offset += written
    }
}

/// Makes an export's directories writable again (they are read-only) and removes it.
private func removeExport(_ url: URL) {
    let fileManager = FileManager.default
    chmod(url.path, 0o700)
    if let enumerator = fileManager.enumerator(atPath: url.path) {
        for case let relative as String in enumerator {
            let path = url.appendingPathComponent(relative).path
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                chmod(path, 0o700)
            }
        }
    }
    try? fileManager.removeItem(at: url)
}
