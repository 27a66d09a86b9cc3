import Foundation
import MooringTesting
import Testing

/// Every example under `examples/` (MLServer, MLflow, llama.cpp, vLLM, Triton, FastAPI)
/// validates with `mooring validate`, against a host configuration that defines the host
/// variables they use (so those are checked too, not only warned about).
struct ExamplesValidateTests {
    static let examples = MooringBinary.packageRoot.appendingPathComponent("examples")
    static let expected = ["fastapi-uvicorn", "llama-cpp", "mlflow", "mlserver-sklearn", "triton", "vllm"]

    /// Every `examples/<name>/manifests` directory there is.
    static func directories() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: examples.path).filter {
            FileManager.default.fileExists(atPath: examples.appendingPathComponent("\($0)/manifests").path)
        }.sorted()
    }

    @Test func everyServingStackHasAnExample() throws {
        let found = try Self.directories()
        #expect(Set(found).isSuperset(of: Self.expected), "\(found)")
    }

    @Test func everyExampleValidatesWithTheHostVariablesItNeeds() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-examples")
        defer { dir.remove() }
        let config = try dir.write("host.yaml", """
            hostVars:
              mlserver-venv: /opt/venvs/mlserver
              mlflow-venv: /opt/venvs/mlflow
              fastapi-venv: /opt/venvs/fastapi
              vllm-venv: /opt/venvs/vllm
              llama-cpp: /opt/llama.cpp/build/bin
              triton: /opt/tritonserver
              models: /srv/models
            """)
        for name in try Self.directories() {
            let result = try MooringBinary.run(["validate", "--config", config.path, "examples/\(name)/manifests"],
                                               in: MooringBinary.packageRoot)
            #expect(result.status == 0, "\(name): \(result.output)")
            #expect(result.stdout.contains("examples/\(name)/manifests: valid ("), "\(name): \(result.output)")
            #expect(!result.output.contains("warning"), "\(name): \(result.output)")
        }
    }
}
