import Foundation
import MooringDigest
import MooringHTTP

/// One file fetched into the cache: streamed into `partial/<key>` while its SHA-256 is
/// computed, resumed with `Range` after an interruption, verified, then renamed into
/// `sha256/<digest>` read-only. Runs on the calling thread (a transfer thread).
struct FileDownload {
    let cache: ArtifactCache
    let request: TransferRequest
    /// Names the partial file: the same thing downloaded again resumes it.
    let key: String
    /// The digest the file must have (`model.sha256`), if known.
    let expected: String?
    let meter: ProgressMeter
    let cancelled: () -> Bool

    /// Bytes the disk must keep free beyond the download.
    static let reserveBytes: Int64 = 64 << 20

    struct Result {
        var digest: String
        var size: Int64
        var head: HTTPResponseHead
    }

    func run() throws -> Result {
        let partial = cache.partials.appendingPathComponent(key)
        let descriptor = try openPartial(partial)
        var closed = false
        defer { if !closed { close(descriptor) } }

        let hasher = SHA256Hasher()
        var offset = try hashExisting(descriptor, into: hasher, path: partial.path)
        var request = self.request
        if offset > 0 { request.headers.append((name: "Range", value: "bytes=\(offset)-")) }
        let url = request.displayURL

        let head: HTTPResponseHead
        do {
            head = try HTTPTransfer.perform(request, cancelled: cancelled, onHead: { head in
                switch head.status {
                case 206 where offset > 0:
                    let start = head.header("Content-Range").flatMap(Self.rangeStart)
                    guard start == offset else {
                        throw ArtifactError(.transient, "GET \(url): the server resumed at byte \(start.map(String.init) ?? "?") instead of \(offset); starting over")
                    }
                case 200, 206:
                    if offset > 0 {
                        // The server ignored Range: start over.
                        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
                            throw ArtifactError(.permanent, "cannot truncate \(partial.path): \(String(cString: strerror(errno)))")
                        }
                        hasher.reset()
                        offset = 0
                    }
                case 416:
                    // What we have is not a prefix the server recognises: start over.
                    _ = ftruncate(descriptor, 0)
                    throw ArtifactError(.transient, "GET \(url): the server refused to resume at byte \(offset) (HTTP 416); starting over")
                default:
                    throw Self.statusError(head.status, url: url)
                }
                let length = head.header("Content-Length").flatMap { Int64($0) }
                try checkFreeSpace(needed: length, path: partial.path)
                meter.restart(at: offset, total: length.map { $0 + offset })
            }, onBody: { chunk in
                try writeAll(descriptor, chunk, path: partial.path)
                hasher.update(chunk)
                meter.add(chunk.count)
            })
        } catch let error as HTTPError {
            switch error.kind {
            case .cancelled: throw ArtifactError(.cancelled, "download of \(url) cancelled; \(formatBytes(meter.progress.bytes)) kept for a resume")
            case .setup: throw ArtifactError(.permanent, error.message)
            case .transport, .stalled:
                throw ArtifactError(.transient, "\(error.message) after \(formatBytes(meter.progress.bytes)); the partial file is kept and resumed")
            }
        }
        guard head.status == 200 || head.status == 206 else { throw Self.statusError(head.status, url: url) }

        let digest = Hex.string(hasher.finalize())
        let size = meter.progress.bytes
        if let expected, digest != expected {
            closed = true
            close(descriptor)
            unlink(partial.path)
            throw ArtifactError(.permanent, "checksum mismatch for \(url): expected sha256 \(expected), got \(digest) (\(formatBytes(size))); the download was deleted — fix `spec.model.sha256` or the file at the URL")
        }
        guard fsync(descriptor) == 0 else {
            throw ArtifactError(.permanent, "cannot flush \(partial.path): \(String(cString: strerror(errno))); check the disk")
        }
        closed = true
        close(descriptor)
        _ = try cache.place(partial, digest: digest)
        return Result(digest: digest, size: size, head: head)
    }

    /// Opens (or creates) the partial file with a shared lock on it, which tells the
    /// collector it is in use. A file the collector removed between the open and the lock
    /// is opened again (a new, empty one).
    private func openPartial(_ partial: URL) throws -> Int32 {
        for _ in 0..<100 {
            let descriptor = open(partial.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard descriptor >= 0 else {
                throw ArtifactError(.permanent, "cannot open \(partial.path): \(String(cString: strerror(errno))); check the state directory")
            }
            var opened = stat(), named = stat()
            if flock(descriptor, LOCK_SH) == 0, fstat(descriptor, &opened) == 0, stat(partial.path, &named) == 0,
               opened.st_ino == named.st_ino, opened.st_dev == named.st_dev {
                return descriptor
            }
            close(descriptor)
            if cancelled() { throw ArtifactError(.cancelled, "download cancelled") }
        }
        throw ArtifactError(.transient, "cannot lock \(partial.path) for the download: \(String(cString: strerror(errno))); retrying")
    }

    /// Hashes the bytes a previous attempt left, so the digest covers the whole file.
    private func hashExisting(_ descriptor: Int32, into hasher: SHA256Hasher, path: String) throws -> Int64 {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return total }
            if count < 0 {
                if errno == EINTR { continue }
                throw ArtifactError(.permanent, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            total += Int64(count)
            if cancelled() { throw ArtifactError(.cancelled, "download cancelled") }
        }
    }

    private func writeAll(_ descriptor: Int32, _ chunk: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < chunk.count {
            let written = write(descriptor, chunk.baseAddress.map { $0 + done }, chunk.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw ArtifactError(.permanent, "cannot write \(path): \(reason)\(errno == ENOSPC ? "; the disk is full — free space (or lower `artifacts.cacheBudget`) and run `mooring sync --retry`" : "")")
            }
            done += written
        }
    }

    private func checkFreeSpace(needed: Int64?, path: String) throws {
        guard let needed else { return }
        var stats = statvfs()
        guard statvfs(cache.root.path, &stats) == 0 else { return }
        let available = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        if available < needed + Self.reserveBytes {
            throw ArtifactError(.permanent, "not enough disk space for \(path): \(formatBytes(needed)) to download, \(formatBytes(available)) free in \(cache.root.path); free space and run `mooring sync --retry`")
        }
    }

    /// `bytes 100-199/1000` → 100.
    static func rangeStart(_ header: String) -> Int64? {
        guard let range = header.split(separator: " ").last, let dash = range.firstIndex(of: "-") else { return nil }
        return Int64(range[..<dash])
    }

    static func statusError(_ status: Int, url: String) -> ArtifactError {
        switch status {
        case 404, 410:
            return ArtifactError(.permanent, "GET \(url): HTTP \(status), not found; fix the URI in Git")
        case 401, 403:
            return ArtifactError(.permanent, "GET \(url): HTTP \(status), access denied; check the credentials in the host configuration (`artifacts:`)")
        case 408, 429, 500...599:
            return ArtifactError(.transient, "GET \(url): HTTP \(status); retrying")
        default:
            return ArtifactError(.permanent, "GET \(url): unexpected HTTP \(status)")
        }
    }
}
