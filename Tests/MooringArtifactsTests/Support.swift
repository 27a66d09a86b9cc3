import Foundation
import MooringArtifacts
import MooringDigest
import MooringManifests
import MooringTesting

/// A served directory, an artifact server on it, and an empty cache.
struct ArtifactFixture {
    let directory: TemporaryDirectory
    let server: ArtifactServer
    let cache: ArtifactCache

    init() throws {
        directory = try TemporaryDirectory(prefix: "mooring-artifacts")
        try FileManager.default.createDirectory(at: directory.appending("served"), withIntermediateDirectories: true)
        server = try ArtifactServer(root: directory.appending("served"))
        cache = ArtifactCache(root: directory.appending("state/artifacts"))
    }

    /// Writes `size` pseudo-random bytes at `path` under the served root; returns their SHA-256.
    @discardableResult
    func serve(_ path: String, size: Int, seed: UInt64 = 1) throws -> String {
        var generator = seed
        var bytes = [UInt8](repeating: 0, count: size)
        for index in bytes.indices {
            generator = generator &* 6364136223846793005 &+ 1442695040888963407
            bytes[index] = UInt8(truncatingIfNeeded: generator >> 33)
        }
        let url = directory.appending("served/\(path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return SHA256Digest.hex(bytes)
    }

    func fetcher(_ settings: ArtifactSettings = ArtifactSettings()) -> ArtifactFetcher {
        ArtifactFetcher(cache: cache, settings: settings)
    }

    /// Fetches `uri` with a deadline `seconds` away; reports are collected in `reports`.
    func fetch(_ uri: String, sha256: String? = nil, settings: ArtifactSettings = ArtifactSettings(),
               seconds: Double = 60, reports: Reports = Reports()) async throws -> URL {
        let model = ResolvedDeployment.Model(uri: uri, sha256: sha256)
        return try await fetcher(settings).fetch(model, deadline: Date().addingTimeInterval(seconds), report: { reports.append($0) })
    }

    /// Files left in `partial/`.
    func partials() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: cache.root.appendingPathComponent("partial").path)) ?? []
    }

    func cleanup() {
        server.stop()
        directory.remove()
    }
}

/// Progress and wait messages a fetch reported.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
