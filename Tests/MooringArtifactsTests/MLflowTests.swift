import Foundation
import MooringArtifacts
import MooringHTTP
import MooringTesting
import Testing

/// `models:/NAME/VERSION` against a real `mlflow server` (PyPI, pinned, in a cached
/// virtualenv) serving artifacts through its proxy: two registered versions resolve to
/// their own directories, and version 1 again comes from the cache — with the server gone.
@Suite(.serialized) struct MLflowTests {
    @Test func twoVersionsAndARollbackWithoutTheServer() async throws {
        let python = try PythonEnvironment.python("mlflow", packages: ["mlflow==3.17.2"])
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let port = try freeLoopbackPort()
        let data = fixture.directory.appending("mlflow")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let mlflow = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("mlflow").path
        let server = try ManagedProcess(
            executable: mlflow,
            arguments: ["server", "--host", "127.0.0.1", "--port", "\(port)", "--workers", "1",
                        "--backend-store-uri", "sqlite:///\(data.path)/mlflow.db",
                        "--artifacts-destination", data.appendingPathComponent("artifacts").path],
            outputDirectory: fixture.directory.url, name: "mlflow")
        defer { _ = server.kill() }
        let tracking = "http://127.0.0.1:\(port)"
        let up = try await waitUntil(timeout: .seconds(120), interval: .milliseconds(500)) {
            if server.hasExited { return true }
            return (try? await httpRequest("\(tracking)/health", timeout: .seconds(2)))?.status == 200
        }
        guard up, !server.hasExited else { throw TestingError("mlflow server did not start: \(server.stderr)") }

        try await call(tracking, "POST", "api/2.0/mlflow/registered-models/create", json: ["name": "iris"])
        var sources: [Int: String] = [:]
        for version in [1, 2] {
            // A run holds the files; the version points at its `model` folder.
            let run = try JSONSerialization.jsonObject(with: try await call(tracking, "POST", "api/2.0/mlflow/runs/create",
                                                                            json: ["experiment_id": "0"])) as? [String: Any]
            let info = try #require((run?["run"] as? [String: Any])?["info"] as? [String: Any])
            let runID = try #require(info["run_id"] as? String)
            let artifactURI = try #require(info["artifact_uri"] as? String)
            let proxied = try #require(artifactURI.split(separator: ":", maxSplits: 1).last).drop { $0 == "/" }
            try await call(tracking, "PUT", "api/2.0/mlflow-artifacts/artifacts/\(proxied)/model/model.json",
                           body: Data("{\"version\": \(version)}".utf8))
            try await call(tracking, "PUT", "api/2.0/mlflow-artifacts/artifacts/\(proxied)/model/sub/MLmodel",
                           body: Data("flavors: {}\n".utf8))
            sources[version] = "\(artifactURI)/model"
            try await call(tracking, "POST", "api/2.0/mlflow/model-versions/create",
                           json: ["name": "iris", "source": "\(artifactURI)/model", "run_id": runID])
        }
        var settings = ArtifactSettings()
        settings.mlflow.trackingURI = tracking

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

        _ = server.kill()
        #expect(try await fixture.fetch("models:/iris/1", settings: settings) == first)
    }

    /// One REST call to the tracking server (through MooringHTTP); a non-2xx answer throws.
    @discardableResult
    func call(_ tracking: String, _ method: String, _ path: String, json: [String: Any]? = nil, body: Data? = nil) async throws -> Data {
        let payload = try json.map { try JSONSerialization.data(withJSONObject: $0) } ?? body
        let request = TransferRequest(method: method, url: "\(tracking)/\(path)",
                                  headers: [(name: "Content-Type", value: json == nil ? "application/octet-stream" : "application/json")],
                                  body: payload)
        let response = try await HTTPTransfer.onOwnThread { try HTTPTransfer.fetch(request) }
        guard (200..<300).contains(response.status) else {
            throw TestingError("\(method) \(path): HTTP \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return Data(response.body)
    }
}
