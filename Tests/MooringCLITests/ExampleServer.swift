import Foundation
import MooringTesting
import Testing

/// One running example server (`kserve_v2_server.py`) for a test, with its output in a
/// temporary directory. Call `stop()` in a `defer`.
struct ExampleServer {
    let process: ManagedProcess
    let directory: TemporaryDirectory
    let port: Int

    /// Starts the server on a port it chooses and waits (generously) until it reports its
    /// port and, unless `waitForReady` is false, answers `/v2/health/ready` with 200.
    static func start(
        model: String,
        extraArguments: [String] = [],
        waitForReady: Bool = true
    ) async throws -> ExampleServer {
        let directory = try TemporaryDirectory(prefix: "mooring-example-server")
        let process: ManagedProcess
        do {
            process = try ManagedProcess(
                executable: "python3",
                arguments: [ExampleServerTests.serverScript, "--model", model, "--port", "0"] + extraArguments,
                environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"],
                outputDirectory: directory.url, name: "server")
        } catch {
            directory.remove()
            throw error
        }
        let line = await process.waitForStdoutLine(containing: "listening on", timeout: .seconds(120))
        guard let line, let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            let state = process.kill()?.description ?? "running"
            let stderr = process.stderr
            directory.remove()
            throw TestingError("server did not report its port (\(state)); stderr: \(stderr)")
        }
        let server = ExampleServer(process: process, directory: directory, port: port)
        if waitForReady {
            let ready = await waitUntil(timeout: .seconds(120), interval: .milliseconds(100)) {
                if process.hasExited { return true }
                return (try? await httpRequest(server.url("/v2/health/ready")))?.status == 200
            }
            if !ready || process.hasExited {
                let state = process.poll()?.description ?? "running"
                let stderr = process.stderr
                server.stop()
                throw TestingError("server never became ready (\(state)); stderr: \(stderr)")
            }
        }
        return server
    }

    /// A URL on this server.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Kills the server's process group, reaps it, and removes its directory.
    func stop() {
        process.kill()
        directory.remove()
    }

    /// The parts of a V2 infer response the tests look at.
    struct Prediction {
        let modelVersion: String?
        let id: String?
        let labels: [String]
        let probabilities: [[Double]]
    }

    /// POSTs `rows` as one `[N, F]` FP32 tensor and decodes the labels and probabilities.
    func infer(_ rows: [[Double]], id: String? = nil) async throws -> Prediction {
        var request: [String: Any] = [
            "inputs": [[
                "name": "input-0", "datatype": "FP32",
                "shape": [rows.count, rows.first?.count ?? 0], "data": rows,
            ] as [String: Any]],
        ]
        if let id { request["id"] = id }
        let body = try JSONSerialization.data(withJSONObject: request)
        let response = try await httpRequest(url("/v2/models/iris/infer"), method: "POST", body: body)
        guard response.status == 200 else {
            throw TestingError("infer answered \(response.status): \(response.text)")
        }
        let object = try response.jsonObject()
        let outputs = object["outputs"] as? [[String: Any]] ?? []
        let label = outputs.first { $0["name"] as? String == "label" }
        let probs = outputs.first { $0["name"] as? String == "probabilities" }
        let labels = label?["data"] as? [String] ?? []
        let flat = (probs?["data"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
        let width = max((probs?["shape"] as? [Int])?.last ?? 1, 1)
        let matrix = stride(from: 0, to: flat.count, by: width).map {
            Array(flat[$0..<min($0 + width, flat.count)])
        }
        return Prediction(
            modelVersion: object["model_version"] as? String, id: object["id"] as? String,
            labels: labels, probabilities: matrix)
    }
}

/// Fisher's iris data set, read from `examples/data/iris.csv`.
struct IrisData {
    struct Sample {
        let features: [Double]
        let species: String
    }

    let samples: [Sample]

    static func load(_ url: URL) throws -> IrisData {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").dropFirst()  // the header
        let samples = try lines.map { line -> Sample in
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count == 5 else { throw TestingError("bad iris row: \(line)") }
            let features = try fields[0..<4].map { field -> Double in
                guard let value = Double(field) else { throw TestingError("bad number \(field) in: \(line)") }
                return value
            }
            return Sample(features: features, species: fields[4])
        }
        return IrisData(samples: samples)
    }
}
