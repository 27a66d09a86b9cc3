import Foundation
import MooringArtifacts
import MooringTesting
import Testing

/// `https://`/`http://` artifacts against a real HTTP server on loopback with `Range`
/// support and injected faults: each ends as `docs/artifacts.md` says.
@Suite(.serialized) struct WebDownloadTests {
    @Test func aDroppedConnectionResumesWhereItStopped() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let size = 3 << 20
        let digest = try fixture.serve("models/iris.bin", size: size)
        try await fixture.server.inject(["drop"], at: "/models/iris.bin")
        let reports = Reports()
        let path = try await fixture.fetch("\(fixture.server.baseURL)/models/iris.bin", sha256: digest, reports: reports)

        #expect(path.path == fixture.cache.file(digest).path)
        let stats = try await fixture.server.stats(for: "/models/iris.bin")
        #expect(stats.requests == 2)
        #expect(stats.bytes >= size && stats.bytes <= size + ArtifactServer.chunkSize, "sent \(stats.bytes) bytes for \(size)")
        #expect(reports.all.contains { $0.hasPrefix("waiting: ") && $0.contains("partial file is kept") }, "\(reports.all)")
        let attributes = try FileManager.default.attributesOfItem(atPath: path.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o444)
        #expect((attributes[.size] as? NSNumber)?.intValue == size)
        #expect(fixture.partials().isEmpty)
    }

    @Test func aServerErrorIsRetriedAndThenSucceeds() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let digest = try fixture.serve("m.bin", size: 100_000)
        try await fixture.server.inject(["500"], at: "/m.bin")
        let reports = Reports()
        let path = try await fixture.fetch("\(fixture.server.baseURL)/m.bin", sha256: digest, reports: reports)
        #expect(FileManager.default.fileExists(atPath: path.path))
        #expect(try await fixture.server.stats(for: "/m.bin").requests == 2)
        #expect(reports.all.contains { $0.contains("HTTP 500; retrying") }, "\(reports.all)")
    }

    @Test func wrongBytesFailWithBothDigestsAndLeaveNothing() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let digest = try fixture.serve("m.bin", size: 200_000)
        try await fixture.server.inject(["wrong"], at: "/m.bin")
        let error = try await #require(throws: ArtifactError.self) {
            try await fixture.fetch("\(fixture.server.baseURL)/m.bin", sha256: digest)
        }
        #expect(error.kind == .permanent)
        #expect(error.message.contains("checksum mismatch") && error.message.contains("expected sha256 \(digest), got "), "\(error)")
        #expect(fixture.partials().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.cache.file(digest).path))
        #expect(try await fixture.server.stats(for: "/m.bin").requests == 1)
    }

    @Test func aSlowTrickleHitsTheDeadlineAndTheNextAttemptResumes() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let size = 1 << 20
        let digest = try fixture.serve("slow.bin", size: size)
        try await fixture.server.inject(["slow"], at: "/slow.bin")
        let reports = Reports()
        let url = "\(fixture.server.baseURL)/slow.bin"
        let error = try await #require(throws: ArtifactError.self) {
            try await fixture.fetch(url, sha256: digest, seconds: 2.5, reports: reports)
        }
        #expect(error.kind == .deadline, "\(error)")
        #expect(error.message.contains("downloadDeadlineSeconds"))
        #expect(reports.all.contains { $0.hasPrefix("downloading ") && $0.contains(" / 1.0 MiB (") }, "\(reports.all)")
        let kept = try #require(fixture.partials().first)
        let keptBytes = try #require((try FileManager.default.attributesOfItem(
            atPath: fixture.cache.root.appendingPathComponent("partial/\(kept)").path)[.size] as? NSNumber)?.intValue)
        #expect(keptBytes > 0 && keptBytes < size)

        _ = try await fixture.fetch(url, sha256: digest)
        let stats = try await fixture.server.stats(for: "/slow.bin")
        #expect(stats.bytes <= size + ArtifactServer.chunkSize, "sent \(stats.bytes) bytes for \(size)")
        #expect(FileManager.default.fileExists(atPath: fixture.cache.file(digest).path))
    }

    @Test(arguments: [("404", "not found; fix the URI in Git"), ("403", "access denied")])
    func notFoundAndForbiddenFailAtOnce(status: String, fragment: String) async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let digest = try fixture.serve("m.bin", size: 1000)
        try await fixture.server.inject([status], at: "/m.bin")
        let error = try await #require(throws: ArtifactError.self) {
            try await fixture.fetch("\(fixture.server.baseURL)/m.bin", sha256: digest)
        }
        #expect(error.kind == .permanent)
        #expect(error.message.contains("HTTP \(status)") && error.message.contains(fragment), "\(error)")
        #expect(try await fixture.server.stats(for: "/m.bin").requests == 1)
    }

    @Test func twoFetchesOfOneArtifactDownloadItOnceAndACachedOneNotAgain() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let digest = try fixture.serve("m.bin", size: 2 << 20)
        let url = "\(fixture.server.baseURL)/m.bin"
        async let first = fixture.fetch(url, sha256: digest, seconds: 120)
        async let second = fixture.fetch(url, sha256: digest, seconds: 120)
        let paths = try await [first, second]
        #expect(paths[0] == paths[1])
        _ = try await fixture.fetch(url, sha256: digest)
        #expect(try await fixture.server.stats(for: "/m.bin").requests == 1)
    }
}
