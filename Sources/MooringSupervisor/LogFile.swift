import Foundation

/// Replica log files: created on demand, rotated by size (`x.log` → `x.log.1` → …), and
/// read back from the end for crash reports.
enum LogFile {
    /// Creates the log's directory and rotates the log when it is larger than `rotateAbove`.
    static func prepare(_ url: URL, rotateAbove: Int, keep: Int) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw SupervisorError(.logFileFailed,
                                  "cannot create the log directory \(url.deletingLastPathComponent().path): check permissions of the state directory",
                                  cause: error)
        }
        guard let size = (try? manager.attributesOfItem(atPath: url.path))?[.size] as? Int,
              size > rotateAbove else { return }
        rotate(url, keep: keep)
    }

    /// Shifts `x.log.(n-1)` to `x.log.n` … `x.log` to `x.log.1`, dropping the oldest.
    static func rotate(_ url: URL, keep: Int) {
        let manager = FileManager.default
        let path = url.path
        guard keep > 0 else {
            try? manager.removeItem(atPath: path)
            return
        }
        try? manager.removeItem(atPath: "\(path).\(keep)")
        if keep > 1 {
            for index in stride(from: keep - 1, through: 1, by: -1) {
                try? manager.moveItem(atPath: "\(path).\(index)", toPath: "\(path).\(index + 1)")
            }
        }
        try? manager.moveItem(atPath: path, toPath: "\(path).1")
    }

    /// Rotates the log of a running process (copy, then truncate: the process keeps its
    /// O_APPEND descriptor and goes on writing at the new end). A few lines written between
    /// the copy and the truncation can be lost, as with logrotate's `copytruncate`.
    static func rotateInPlaceIfNeeded(_ url: URL, above limit: Int, keep: Int) {
        let manager = FileManager.default
        guard let size = (try? manager.attributesOfItem(atPath: url.path))?[.size] as? Int,
              size > limit, keep > 0 else { return }
        let path = url.path
        try? manager.removeItem(atPath: "\(path).\(keep)")
        if keep > 1 {
            for index in stride(from: keep - 1, through: 1, by: -1) {
                try? manager.moveItem(atPath: "\(path).\(index)", toPath: "\(path).\(index + 1)")
            }
        }
        try? manager.copyItem(atPath: path, toPath: "\(path).1")
        truncate(path, 0)
    }

    /// The last `lines` lines of the log (reads at most the last 64 KiB).
    static func tail(_ url: URL, lines: Int = 10) -> [String] {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return [] }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return [] }
        let start = end > 65_536 ? end - 65_536 : 0
        guard (try? handle.seek(toOffset: start)) != nil,
              let data = try? handle.readToEnd() else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        let all = text.split(separator: "\n", omittingEmptySubsequences: true)
        return all.suffix(lines).map(String.init)
    }
}
