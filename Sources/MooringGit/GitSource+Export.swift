import Foundation

extension GitSource {
    /// Writes the whole tree of `commit` to `<revisionsDirectory>/<full sha>/` and returns
    /// that directory. The tree is built in a temporary sibling and renamed into place, so
    /// the directory appears complete or not at all; files and directories are read-only,
    /// so a process running from it never sees it change. Exporting an existing revision
    /// returns it untouched.
    public func export(commit: ObjectID, into revisionsDirectory: URL) throws -> URL {
        let fileManager = FileManager.default
        let final = revisionsDirectory.appendingPathComponent(commit.hex, isDirectory: true)
        if fileManager.fileExists(atPath: final.path) { return final }
        do {
            try fileManager.createDirectory(at: revisionsDirectory, withIntermediateDirectories: true)
        } catch {
            throw GitError(
                code: .other, message: "cannot create `\(revisionsDirectory.path)`: \(error.localizedDescription)",
                cause: GitErrorCause(error))
        }
        let repository = try openRepository()
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
                        try writeFile(target, bytes, mode: entry.kind == .executable ? 0o555 : 0o444)
                    }
                case .symlink:
                    let destination = try repository.withBlob(entry.id) { String(decoding: $0, as: UTF8.self) }
                    guard symlink(destination, target) == 0 else {
                        throw GitError.posix("symlink", path: target, errno: errno, doing: "cannot create symlink")
                    }
                }
            }
            for directory in directories.reversed() where chmod(directory, 0o555) != 0 {
                throw GitError.posix("chmod", path: directory, errno: errno, doing: "cannot make read-only")
            }
            if rename(temporary.path, final.path) != 0 {
                let code = errno
                guard code == EEXIST || code == ENOTEMPTY, fileManager.fileExists(atPath: final.path) else {
                    throw GitError.posix("rename", path: final.path, errno: code, doing: "cannot move the export into place at")
                }
                removeExport(temporary)  // Another export of the same commit won the race.
            }
        } catch {
            removeExport(temporary)
            throw error
        }
        logger.debug("exported revision", metadata: ["commit": "\(commit.short)", "directory": "\(final.path)"])
        return final
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
                removeExport(url)
                if fileManager.fileExists(atPath: url.path) {
                    throw GitError(code: .other, message: "cannot remove the unused export `\(url.path)`")
                }
                removed.append(id)
            } else if name.hasPrefix(".tmp-") {
                removeExport(url)
            }
        }
        if !removed.isEmpty {
            logger.debug("removed unused exports", metadata: ["count": "\(removed.count)"])
        }
        return removed.sorted()
    }
}

private func makeDirectory(_ path: String) throws {
    guard mkdir(path, 0o755) == 0 else {
        throw GitError.posix("mkdir", path: path, errno: errno, doing: "cannot create directory")
    }
}

private func writeFile(_ path: String, _ bytes: UnsafeRawBufferPointer, mode: mode_t) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
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
    chmod(url.path, 0o755)
    if let enumerator = fileManager.enumerator(atPath: url.path) {
        for case let relative as String in enumerator {
            let path = url.appendingPathComponent(relative).path
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                chmod(path, 0o755)
            }
        }
    }
    try? fileManager.removeItem(at: url)
}
