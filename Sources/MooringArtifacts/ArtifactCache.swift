import Foundation
import MooringDigest
import MooringHTTP

/// The content-addressed artifact cache under the state directory:
///
/// ```
/// artifacts/sha256/<digest>      one file per content, read-only (0444)
/// artifacts/trees/<digest>/…     a directory artifact: hard links to sha256/ files, read-only;
///                                <digest> is the SHA-256 of its manifest (`digest  size  path` lines)
/// artifacts/partial/<key>        downloads in progress (resumed with HTTP Range)
/// artifacts/index/<key>.json     what each model URI resolved to (digest, ETags, revision)
/// artifacts/locks/<key>          one download of a thing at a time, across deployments
/// ```
///
/// A model process is only ever given a path under `sha256/` or `trees/`: it never sees
/// a partial file.
public struct ArtifactCache: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public var files: URL { root.appendingPathComponent("sha256") }
    public var trees: URL { root.appendingPathComponent("trees") }
    var partials: URL { root.appendingPathComponent("partial") }
    var index: URL { root.appendingPathComponent("index") }
    var locks: URL { root.appendingPathComponent("locks") }

    /// Creates the directories (0700).
    public func prepare() throws {
        for directory in [root, files, trees, partials, index, locks] {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw ArtifactError(.permanent, "cannot create the artifact cache directory \(directory.path) (\(error.localizedDescription)); check the state directory's permissions and free space")
            }
        }
    }

    /// The cached file with content `digest`.
    public func file(_ digest: String) -> URL { files.appendingPathComponent(digest) }
    /// The cached directory with manifest digest `digest`.
    public func tree(_ digest: String) -> URL { trees.appendingPathComponent(digest) }

    /// The path a record's artifact has in the cache.
    public func path(of record: ArtifactRecord) -> URL {
        record.kind == .file ? file(record.digest) : tree(record.digest)
    }

    /// Whether the record's artifact is complete in the cache.
    public func contains(_ record: ArtifactRecord) -> Bool {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path(of: record).path, isDirectory: &isDirectory)
        return exists && isDirectory.boolValue == (record.kind == .directory)
    }

    // MARK: Index

    /// The record for `uri`, if one was written and its artifact is still cached. A record
    /// that cannot be read (damaged, from a newer format) counts as absent: the artifact is
    /// fetched again and the record rewritten — nothing is lost but a download.
    public func record(for uri: String) -> ArtifactRecord? {
        guard let data = FileManager.default.contents(atPath: indexFile(for: uri).path),
              let record = try? JSONDecoder.artifacts.decode(ArtifactRecord.self, from: data),
              record.uri == uri, contains(record) else { return nil }
        return record
    }

    /// Every record in the index. Unreadable ones are skipped (they are rewritten on the
    /// next fetch of their URI); an index that cannot be listed throws.
    public func readRecords() throws -> [ArtifactRecord] {
        guard FileManager.default.fileExists(atPath: index.path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: index.path)
        } catch {
            throw ArtifactError(.permanent, "cannot list the artifact index \(index.path) (\(error.localizedDescription)); check the state directory's permissions")
        }
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: index.appendingPathComponent(name).path)
                .flatMap { try? JSONDecoder.artifacts.decode(ArtifactRecord.self, from: $0) }
        }
    }

    /// Writes `record` (atomically: a reader sees the old or the new one).
    public func write(_ record: ArtifactRecord) throws {
        do {
            let data = try JSONEncoder.artifacts.encode(record)
            try data.write(to: indexFile(for: record.uri), options: .atomic)
        } catch {
            throw ArtifactError(.permanent, "cannot record the artifact of \(record.uri) in \(index.path) (\(error.localizedDescription)); check free space")
        }
    }

    /// Removes the record of `uri` (its artifact then counts as not cached).
    func removeRecord(for uri: String) throws {
        let file = indexFile(for: uri)
        guard unlink(file.path) == 0 || errno == ENOENT else {
            throw ArtifactError(.permanent, "cannot remove the artifact record \(file.path) of \(redactedURL(uri)): \(String(cString: strerror(errno))); check the state directory's permissions")
        }
    }

    /// The index file recording what `uri` resolved to.
    public func indexFile(for uri: String) -> URL { index.appendingPathComponent(Self.key(uri) + ".json") }

    /// A file name for any string: its SHA-256.
    static func key(_ text: String) -> String { SHA256Digest.hex(Array(text.utf8)) }

    // MARK: Placing

    /// Moves a verified file into `sha256/<digest>`, read-only. An existing copy wins (same bytes).
    func place(_ partial: URL, digest: String) throws -> URL {
        let target = file(digest)
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: partial)
            return target
        }
        guard chmod(partial.path, 0o444) == 0, rename(partial.path, target.path) == 0 else {
            throw ArtifactError(.permanent, "cannot move the verified download into \(target.path): \(String(cString: strerror(errno))); check the state directory")
        }
        return target
    }

    /// Builds `trees/<digest>/` from `entries` (each already in `sha256/`), read-only, and
    /// returns its digest.
    func placeTree(_ entries: [ArtifactRecord.Entry]) throws -> String {
        let manifest = entries.sorted { $0.path < $1.path }.map { "\($0.sha256)  \($0.size)  \($0.path)\n" }.joined()
        let digest = SHA256Digest.hex(Array(manifest.utf8))
        let target = tree(digest)
        if FileManager.default.fileExists(atPath: target.path) { return digest }
        let staging = partials.appendingPathComponent("tree-\(digest)-\(getpid())")
        try? makeWritable(staging)
        try? FileManager.default.removeItem(at: staging)
        do {
            for entry in entries {
                let destination = staging.appendingPathComponent(entry.path)
                try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard link(file(entry.sha256).path, destination.path) == 0 else {
                    throw ArtifactError(.permanent, "cannot link \(entry.path) into \(staging.path): \(String(cString: strerror(errno)))")
                }
            }
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try setReadOnlyDirectories(staging)
            guard rename(staging.path, target.path) == 0 || FileManager.default.fileExists(atPath: target.path) else {
                throw ArtifactError(.permanent, "cannot move the directory artifact into \(target.path): \(String(cString: strerror(errno)))")
            }
        } catch let error as ArtifactError {
            try? makeWritable(staging)
            try? FileManager.default.removeItem(at: staging)
            throw error
        } catch {
            try? makeWritable(staging)
            try? FileManager.default.removeItem(at: staging)
            throw ArtifactError(.permanent, "cannot build the directory artifact in \(staging.path) (\(error.localizedDescription)); check free space")
        }
        return digest
    }

    /// Directories under (and including) `url` become 0555 (deepest first).
    private func setReadOnlyDirectories(_ url: URL) throws {
        var directories = [url]
        if let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isDirectoryKey]) {
            for case let item as URL in walker where (try? item.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                directories.append(item)
            }
        }
        for directory in directories.reversed() { chmod(directory.path, 0o555) }
    }

    /// Makes a read-only tree writable again so it can be removed.
    func makeWritable(_ url: URL) throws {
        chmod(url.path, 0o700)
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        for case let item as URL in walker where (try? item.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
            chmod(item.path, 0o700)
        }
    }
}

/// What a model URI resolved to when it was fetched: written to the cache's index.
public struct ArtifactRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case file, directory }

    /// One file of a directory artifact.
    public struct Entry: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var size: Int64
        /// The object's ETag (S3), when the server gave one.
        public var etag: String?

        public init(path: String, sha256: String, size: Int64, etag: String? = nil) {
            self.path = path
            self.sha256 = sha256
            self.size = size
            self.etag = etag
        }
    }

    public var uri: String
    public var kind: Kind
    /// The file's SHA-256, or the directory manifest's.
    public var digest: String
    public var size: Int64
    /// The per-file digests of a directory (the manifest recorded on first download).
    public var files: [Entry]?
    /// Where it came from: `etag`, `versionId` (S3), `revision` (Hub), `source` (MLflow).
    public var origin: [String: String]
    public var fetchedAt: Date

    public init(uri: String, kind: Kind, digest: String, size: Int64, files: [Entry]?, origin: [String: String], fetchedAt: Date) {
        self.uri = uri
        self.kind = kind
        self.digest = digest
        self.size = size
        self.files = files
        self.origin = origin
        self.fetchedAt = fetchedAt
    }
}

extension JSONEncoder {
    static var artifacts: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var artifacts: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
