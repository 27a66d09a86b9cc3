import Foundation
import MooringHTTP
import MooringManifests

/// Fetches a deployment's remote model into the cache and says where it is: the path
/// `{{model.path}}` renders to. One download of a URI at a time (a lock file per URI, so
/// two deployments needing the same artifact download it once); immutable references
/// (`https://` with `sha256`, `hf://…@commit`, `models:/NAME/VERSION`) found in the
/// index are used without a request.
public struct ArtifactFetcher: Sendable {
    public let cache: ArtifactCache
    public let settings: ArtifactSettings

    public init(cache: ArtifactCache, settings: ArtifactSettings) {
        self.cache = cache
        self.settings = settings
    }

    /// The cached artifact of `model`, if there is one (no network, no download).
    public func cached(_ model: ResolvedDeployment.Model) -> URL? {
        if case .web = model.location, let sha256 = model.sha256 {
            let file = cache.file(sha256)
            return FileManager.default.fileExists(atPath: file.path) ? file : nil
        }
        return cache.record(for: model.uri).map(cache.path(of:))
    }

    /// Fetches `model` (on a thread of its own), retrying transient failures with
    /// backoff (1 s doubling to 30 s) until `deadline`. `report` gets progress ("downloading
    /// …") and waits ("waiting: … retrying in 4s") for status, at most about once a second.
    public func fetch(_ model: ResolvedDeployment.Model, deadline: Date,
                      cancelled: @escaping @Sendable () -> Bool = { false },
                      report: @escaping @Sendable (String) -> Void = { _ in }) async throws -> URL {
        let fetcher = self
        return try await HTTPTransfer.onOwnThread {
            try fetcher.fetchBlocking(model, deadline: deadline, cancelled: cancelled, report: report)
        }
    }

    /// ``fetch(_:deadline:cancelled:report:)`` on the calling thread.
    public func fetchBlocking(_ model: ResolvedDeployment.Model, deadline: Date,
                              cancelled: @escaping () -> Bool = { false },
                              report: @escaping (String) -> Void = { _ in }) throws -> URL {
        try cache.prepare()
        let stop = { cancelled() || Date() >= deadline }
        func stopped() -> ArtifactError {
            cancelled() ? ArtifactError(.cancelled, "fetching \(model.uri) was cancelled")
                : ArtifactError(.deadline, "\(model.uri) was not fetched within downloadDeadlineSeconds (\(model.downloadDeadline)s); what was downloaded is kept and resumed on the next attempt")
        }
        let lock = try FileLock(cache.locks.appendingPathComponent(ArtifactCache.key(model.uri)).path)
        defer { lock.unlock() }
        while try !lock.tryLock() {
            if stop() { throw stopped() }
            report("waiting for another deployment's download of the same artifact")
            Thread.sleep(forTimeInterval: 0.2)
        }
        var delay: TimeInterval = 1
        while true {
            do {
                let record = try fetchOnce(model, cancelled: stop, report: report)
                // The collector may have removed a file with the same content (it belonged
                // to an unused artifact) before this record was written: once written, the
                // record protects it, so a check now is enough.
                guard cache.contains(record) else {
                    throw ArtifactError(.transient, "\(redactedURL(model.uri)) was removed from the cache while it was recorded; fetching it again")
                }
                return cache.path(of: record)
            } catch let error as ArtifactError where error.kind == .transient {
                if stop() { throw stopped() }
                let wait = min(delay, max(0, deadline.timeIntervalSinceNow))
                report("waiting: \(error.message); retrying in \(Int(wait.rounded(.up)))s")
                let until = Date().addingTimeInterval(wait)
                while Date() < until, !stop() { Thread.sleep(forTimeInterval: 0.1) }
                if stop() { throw stopped() }
                delay = min(delay * 2, 30)
            } catch let error as ArtifactError where error.kind == .cancelled {
                throw stopped()
            }
        }
    }

    private func fetchOnce(_ model: ResolvedDeployment.Model, cancelled: @escaping () -> Bool,
                           report: @escaping (String) -> Void) throws -> ArtifactRecord {
        let uri = model.uri
        switch model.location {
        case .repository:
            throw ArtifactError(.permanent, "`\(uri)` is a repository path, not a remote artifact")
        case let .web(url):
            if let sha256 = model.sha256, FileManager.default.fileExists(atPath: cache.file(sha256).path) {
                return try remember(uri: uri, single: RemoteFile(path: "", request: TransferRequest(url: url), expected: sha256),
                                    digest: sha256, size: fileSize(cache.file(sha256)), origin: [:])
            }
            let file = RemoteFile(path: "", request: TransferRequest(url: url), expected: model.sha256)
            return try download(uri: uri, files: [file], directory: false, origin: [:], cancelled: cancelled, report: report)
        case let .huggingFace(repository, revision, path):
            if let record = cache.record(for: uri) { return record }
            let hub = HuggingFaceHub(settings: settings.huggingFace)
            let files = try hub.files(repository: repository, revision: revision, path: path, expected: model.sha256, cancelled: cancelled)
            return try download(uri: uri, files: files, directory: path == nil, origin: ["revision": revision], cancelled: cancelled, report: report)
        case let .s3(bucket, key):
            let store = S3Store(settings: settings.s3)
            let files = try store.files(bucket: bucket, key: key, expected: model.sha256, cancelled: cancelled)
            if let record = cache.record(for: uri), S3Store.unchanged(record, files) { return record }
            return try download(uri: uri, files: files, directory: key.isEmpty || key.hasSuffix("/"), origin: S3Store.origin(files),
                                cancelled: cancelled, report: report)
        case let .mlflow(name, version):
            if let record = cache.record(for: uri) { return record }
            let registry = MLflowRegistry(settings: settings.mlflow, s3: settings.s3)
            let (source, files) = try registry.files(name: name, version: version, cancelled: cancelled)
            return try download(uri: uri, files: files, directory: true, origin: ["source": source], cancelled: cancelled, report: report)
        }
    }

    /// Downloads `files` (each verified into `sha256/`) and records the artifact: the file
    /// itself, or a tree of them.
    private func download(uri: String, files: [RemoteFile], directory: Bool, origin: [String: String],
                          cancelled: @escaping () -> Bool, report: @escaping (String) -> Void) throws -> ArtifactRecord {
        var entries: [ArtifactRecord.Entry] = []
        for (number, file) in files.enumerated() {
            let prefix = files.count > 1 ? "file \(number + 1) of \(files.count) (\(file.path)): " : ""
            if let expected = file.expected, FileManager.default.fileExists(atPath: cache.file(expected).path) {
                entries.append(ArtifactRecord.Entry(path: file.path, sha256: expected, size: fileSize(cache.file(expected)), etag: file.etag))
                continue
            }
            let meter = ProgressMeter(prefix: prefix) { report($0.description) }
            let result = try FileDownload(cache: cache, request: file.request, key: ArtifactCache.key(file.identity),
                                          expected: file.expected, meter: meter, cancelled: cancelled).run()
            entries.append(ArtifactRecord.Entry(path: file.path, sha256: result.digest, size: result.size,
                                                etag: file.etag ?? result.head.header("ETag")))
        }
        let record: ArtifactRecord
        if directory {
            let digest = try cache.placeTree(entries)
            record = ArtifactRecord(uri: uri, kind: .directory, digest: digest, size: entries.reduce(0) { $0 + $1.size },
                                    files: entries, origin: origin, fetchedAt: Date())
        } else {
            guard let entry = entries.first, entries.count == 1 else {
                throw ArtifactError(.permanent, "`\(uri)` names \(entries.count) files; name one file, or a directory (ending in `/`)")
            }
            var origin = origin
            if let etag = entry.etag { origin["etag"] = etag }
            record = ArtifactRecord(uri: uri, kind: .file, digest: entry.sha256, size: entry.size, files: nil, origin: origin, fetchedAt: Date())
        }
        try cache.write(record)
        return record
    }

    private func remember(uri: String, single: RemoteFile, digest: String, size: Int64, origin: [String: String]) throws -> ArtifactRecord {
        if let record = cache.record(for: uri), record.digest == digest { return record }
        let record = ArtifactRecord(uri: uri, kind: .file, digest: digest, size: size, files: nil, origin: origin, fetchedAt: Date())
        try cache.write(record)
        return record
    }

    private func fileSize(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// One file of an artifact: where it goes in a directory, how to get it, and what it must hash to.
struct RemoteFile {
    var path: String
    var request: TransferRequest
    var expected: String? = nil
    var etag: String? = nil
    var size: Int64? = nil
    /// The S3 object version (`x-amz-version-id`), when the bucket is versioned.
    var version: String? = nil

    /// What names its partial download: the URL (without query), and the ETag when known,
    /// so a changed object never resumes an old partial file.
    var identity: String { "\(redactedURL(request.url))#\(etag ?? "")#\(expected ?? "")" }
}
