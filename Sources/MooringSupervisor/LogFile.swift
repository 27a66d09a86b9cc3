import Foundation
import MooringFileSafety
#if canImport(Glibc)
import Glibc
#endif

/// Replica log files: created on demand, rotated by size (`x.log` → `x.log.1` → …), and
/// read back from the end for crash reports.
///
/// Logs live in the controller's state directory, so they follow its rules
/// (``OwnedFiles``): directories are created `0700`, files `0600`, and every file is
/// opened with `O_NOFOLLOW` and checked to be a regular file of this user's — a symlink
/// planted in place of a log never makes the supervisor append to, copy or truncate
/// another file.
enum LogFile {
    /// Creates the log's directory, rotates the log when it is larger than `rotateAbove`,
    /// and opens it for appending. The caller hands the descriptor to the child and closes it.
    static func openForAppending(_ url: URL, rotateAbove: Int, keep: Int) throws -> Int32 {
        let directory = url.deletingLastPathComponent().path
        do {
            try OwnedFiles.makeDirectory(directory)
            if let info = try OwnedFiles.linkStatus(url.path), info.st_mode & S_IFMT == S_IFREG,
               Int(info.st_size) > rotateAbove {
                rotate(url, keep: keep)
            }
            return try OwnedFiles.open(url.path, flags: O_WRONLY | O_CREAT | O_APPEND)
        } catch let error as UnsafePathError {
            throw SupervisorError(.logFileFailed, "cannot open the log \(url.path): \(error.message)", cause: error)
        }
    }

    /// Shifts `x.log.(n-1)` to `x.log.n` … `x.log` to `x.log.1`, dropping the oldest.
    /// (`rename` and `unlink` act on a link itself, never on what it points to.)
    static func rotate(_ url: URL, keep: Int) {
        let path = url.path
        guard keep > 0 else {
            unlink(path)
            return
        }
        shiftRotated(path, keep: keep)
        rename(path, "\(path).1")
    }

    /// Rotates the log of a running process (copy, then truncate: the process keeps its
    /// O_APPEND descriptor and goes on writing at the new end). A few lines written between
    /// the copy and the truncation can be lost, as with logrotate's `copytruncate`.
    /// A log that is not a private regular file of this user's is left alone.
    static func rotateInPlaceIfNeeded(_ url: URL, above limit: Int, keep: Int) {
        let path = url.path
        guard keep > 0, let source = openIfSafe(path, flags: O_RDWR) else { return }
        defer { close(source) }
        var info = stat()
        guard fstat(source, &info) == 0, Int(info.st_size) > limit else { return }
        shiftRotated(path, keep: keep)
        unlink("\(path).1")
        guard let copy = openIfSafe("\(path).1", flags: O_WRONLY | O_CREAT | O_EXCL) else { return }
        defer { close(copy) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(copy, $0.baseAddress.map { $0 + offset }, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
        _ = ftruncate(source, 0)
    }

    /// `x.log.(n-1)` → `x.log.n` … `x.log.1` → `x.log.2`, dropping `x.log.n`.
    private static func shiftRotated(_ path: String, keep: Int) {
        unlink("\(path).\(keep)")
        if keep > 1 {
            for index in stride(from: keep - 1, through: 1, by: -1) {
                rename("\(path).\(index)", "\(path).\(index + 1)")
            }
        }
    }

    /// ``OwnedFiles/open(_:flags:)`` for the best-effort upkeep of a log that is already
    /// being written: nil when the file is missing or unsafe (the spawn, which opened the
    /// log, has refused an unsafe one with an error; upkeep just leaves it alone).
    private static func openIfSafe(_ path: String, flags: Int32) -> Int32? {
        do {
            return try OwnedFiles.open(path, flags: flags)
        } catch {
            return nil
        }
    }

    /// The last `lines` lines of the log (reads at most the last 64 KiB); empty when the
    /// log is missing, one line saying why when it is not a private regular file of this user's.
    static func tail(_ url: URL, lines: Int = 10) -> [String] {
        let descriptor: Int32
        do {
            descriptor = try OwnedFiles.open(url.path, flags: O_RDONLY)
        } catch let error as UnsafePathError where error.code == .missing {
            return []
        } catch {
            return ["(log not shown: \(error))"]
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return [] }
        let end = Int(info.st_size)
        let start = max(0, end - 65_536)
        var buffer = [UInt8](repeating: 0, count: end - start)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(start)) }
        guard count > 0 else { return [] }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        let all = text.split(separator: "\n", omittingEmptySubsequences: true)
        return all.suffix(lines).map(String.init)
    }
}
