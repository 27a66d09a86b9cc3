import Foundation
import MooringArtifacts
import MooringTesting
import Testing

/// `models:/NAME/VERSION` against a real `mlflow server` (PyPI, pinned, in a cached
/// virtualenv) serving artifacts through its proxy: two registered versions resolve to
/// their own directories, and version 1 again comes from the cache — with the server gone.
@Suite(.serialized) struct MLflowTests {
    @Test func twoVersionsAndARollbackWithoutTheServer() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let server = try await MLflowServer(directory: fixture.directory.url)
        defer { server.stop() }

        try await server.createModel("iris")
        var sources: [Int: String] = [:]
        for version in [1, 2] {
            sources[version] = try await server.registerVersion(of: "iris", files: [
                "model.json": Data("{\"version\": \(version)}".utf8),
                "sub/MLmodel": Data("flavors: {}\n".utf8),
            ])
        }
        var settings = ArtifactSettings()
        settings.mlflow.trackingURI = server.trackingURI

        let first = try await fixture.fetch("models:/iris/1", settings: settings)
        #expect(try String(contentsOf: first.appendingPathComponent("model.json"), encoding: .utf8) == "{\"version\": 1}")
        #expect(FileManager.default.fileExists(atPath: first.appendingPathComponent("sub/MLmodel").path))
        let second = try await fixture.fetch("models:/iris/2", settings: settings)
        #expect(try String(contentsOf: second.appendingPathComponent("model.json"), encoding: .utf8) == "{\"version\": 2}")
        let record = try #require(fixture.cache.record(for: "models:/iris/1"))
        #expect(record.origin["source"] == sources[1])

        let missing = try await #require(throws: ArtifactError.self) {
            try await fixture.fetch("models:/iris/9", settings: settings)
        }
        #expect(missing.kind == .permanent, "\(missing)")

        server.stop()
        #expect(try await fixture.fetch("models:/iris/1", settings: settings) == first)
    }
}
