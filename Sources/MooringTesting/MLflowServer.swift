import Foundation

/// A real `mlflow server` (from PyPI, pinned, in the cached virtualenv `.build/venv-mlflow`)
/// on a free loopback port, keeping its registry in SQLite and serving artifacts through
/// its proxy (`--artifacts-destination`), with helpers that register model versions
/// through its REST API as an ML team's pipeline would.
public final class MLflowServer: @unchecked Sendable {
    /// The pinned package.
    public static let package = "mlflow==3.17.2"
    /// `http://127.0.0.1:<port>`.
    public let trackingURI: String
    private let process: ManagedProcess

    /// Starts the server with its data under `directory` and waits (generously) until it
    /// answers `/health`; throws with its stderr if it does not.
    public init(directory: URL) async throws {
        let python = try PythonEnvironment.python("mlflow", packages: [Self.package])
        let port = try freeLoopbackPort()
        let data = directory.appendingPathComponent("mlflow")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let mlflow = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("mlflow").path
        process = try ManagedProcess(
            executable: mlflow,
            arguments: ["server", "--host", "127.0.0.1", "--port", "\(port)", "--workers", "1",
                        "--backend-store-uri", "sqlite:///\(data.path)/mlflow.db",
                        "--artifacts-destination", data.appendingPathComponent("artifacts").path],
            outputDirectory: directory, name: "mlflow")
        trackingURI = "http://127.0.0.1:\(port)"
        let process = self.process, tracking = trackingURI
        let up = await waitUntil(timeout: .seconds(120), interval: .milliseconds(500)) {
            if process.hasExited { return true }
            return (try? await httpRequest("\(tracking)/health", timeout: .seconds(2)))?.status == 200
        }
        guard up, !process.hasExited else {
            _ = process.kill()
            throw TestingError("mlflow server did not start: \(process.stderr)")
        }
    }

    /// Creates the registered model `name`.
    public func createModel(_ name: String) async throws {
        try await call("POST", "api/2.0/mlflow/registered-models/create", json: ["name": name])
    }

    /// Logs `files` (path in the model folder → bytes) into a new run's `model` folder
    /// through the artifact proxy and registers that folder as the next version of `name`.
    /// Returns the version's source (`mlflow-artifacts:/…/model`).
    @discardableResult
    public func registerVersion(of name: String, files: [String: Data]) async throws -> String {
        let run = try JSONSerialization.jsonObject(with: try await call("POST", "api/2.0/mlflow/runs/create",
                                                                        json: ["experiment_id": "0"])) as? [String: Any]
        guard let info = (run?["run"] as? [String: Any])?["info"] as? [String: Any],
              let runID = info["run_id"] as? String, let artifactURI = info["artifact_uri"] as? String,
              let tail = artifactURI.split(separator: ":", maxSplits: 1).last else {
            throw TestingError("runs/create gave no run id and artifact URI: \(String(describing: run))")
        }
        let proxied = tail.drop { $0 == "/" }
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            try await call("PUT", "api/2.0/mlflow-artifacts/artifacts/\(proxied)/model/\(path)", body: data)
        }
        try await call("POST", "api/2.0/mlflow/model-versions/create",
                       json: ["name": name, "source": "\(artifactURI)/model", "run_id": runID])
        return "\(artifactURI)/model"
    }

    /// One REST call; a non-2xx answer throws with its body.
    @discardableResult
    public func call(_ method: String, _ path: String, json: [String: Any]? = nil, body: Data? = nil) async throws -> Data {
        let payload = try json.map { try JSONSerialization.data(withJSONObject: $0) } ?? body
        let response = try await httpRequest("\(trackingURI)/\(path)", method: method, body: payload,
                                             headers: ["Content-Type": json == nil ? "application/octet-stream" : "application/json"],
                                             timeout: .seconds(60))
        guard (200..<300).contains(response.status) else {
            throw TestingError("\(method) \(path): HTTP \(response.status): \(response.text)")
        }
        return response.body
    }

    /// The server's stderr so far (for failure messages).
    public var log: String { process.stderr }

    /// Kills the server (also on deinit).
    public func stop() {
        _ = process.kill()
    }

    deinit { stop() }
}
