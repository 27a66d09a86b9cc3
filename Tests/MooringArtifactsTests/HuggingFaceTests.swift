import Foundation
import MooringArtifacts
import MooringTesting
import Testing

/// `hf://ORG/REPO@COMMIT[/PATH]` against a loopback server that answers the Hub's resolve
/// and revision URLs (`artifacts.huggingFace.endpoint` pointed at it).
@Suite struct HuggingFaceTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    @Test func aSnapshotBecomesAReadOnlyTreeAndIsNotFetchedTwice() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let config = try fixture.serve("hf/acme/iris/\(Self.commit)/config.json", size: 300, seed: 2)
        let weights = try fixture.serve("hf/acme/iris/\(Self.commit)/weights/model.safetensors", size: 500_000, seed: 3)
        let token = try fixture.directory.write("hf-token", "hf_secret_token\n")
        var settings = ArtifactSettings()
        settings.huggingFace.endpoint = fixture.server.baseURL
        settings.huggingFace.tokenFile = token.path

        let uri = "hf://acme/iris@\(Self.commit)"
        let tree = try await fixture.fetch(uri, settings: settings)
        #expect(tree.path.hasPrefix(fixture.cache.trees.path + "/"))
        #expect(try Data(contentsOf: tree.appendingPathComponent("weights/model.safetensors")).count == 500_000)
        for path in ["", "weights", "weights/model.safetensors"] {
            let mode = try FileManager.default.attributesOfItem(atPath: tree.appendingPathComponent(path).path)[.posixPermissions] as? NSNumber
            #expect(mode.map { $0.intValue & 0o222 } == 0, "\(path) is writable")
        }
        let record = try #require(fixture.cache.record(for: uri))
        #expect(record.kind == .directory)
        #expect(record.origin["revision"] == Self.commit)
        #expect(Set(record.files?.map(\.sha256) ?? []) == [config, weights])
        #expect(!(try String(contentsOf: fixture.cache.indexFile(for: uri), encoding: .utf8)).contains("hf_secret_token"))

        let again = try await fixture.fetch(uri, settings: settings)
        #expect(again == tree)
        #expect(try await fixture.server.stats(for: "/acme/iris/resolve/\(Self.commit)/weights/model.safetensors").requests == 1)
        #expect(try await fixture.server.stats(for: "/api/models/acme/iris/revision/\(Self.commit)").requests == 1)
    }

    @Test func oneFileOfARepository() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let digest = try fixture.serve("hf/acme/iris/\(Self.commit)/model.json", size: 4000)
        var settings = ArtifactSettings()
        settings.huggingFace.endpoint = fixture.server.baseURL
        let path = try await fixture.fetch("hf://acme/iris@\(Self.commit)/model.json", settings: settings)
        #expect(path == fixture.cache.file(digest))
    }

    @Test func anUnknownRevisionFailsAtOnce() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        var settings = ArtifactSettings()
        settings.huggingFace.endpoint = fixture.server.baseURL
        let error = try await #require(throws: ArtifactError.self) {
            try await fixture.fetch("hf://acme/none@\(Self.commit)", settings: settings)
        }
        #expect(error.kind == .permanent && error.message.contains("HTTP 404"), "\(error)")
    }
}
