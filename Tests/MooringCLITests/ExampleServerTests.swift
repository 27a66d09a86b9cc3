import Foundation
import MooringTesting
import Testing

/// The example model server (`examples/servers/kserve_v2_server.py`) run for real with
/// `python3` on a loopback port it picks itself (`--port 0`, reported on its first stdout
/// line), spoken to over real HTTP.
@Suite struct ExampleServerTests {
    /// The package root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let serverScript = root.appendingPathComponent("examples/servers/kserve_v2_server.py").path
    static let dataSet = root.appendingPathComponent("examples/data/iris.csv")

    static func modelPath(version: String) -> String {
        root.appendingPathComponent("models/iris-v\(version).json").path
    }

    // MARK: - Predictions

    /// Rows of the data set (1-based, as in the CSV) that each version classifies correctly.
    @Test(arguments: [
        // v1 sees only the sepal features; these are rows it gets right.
        ("1", [1, 60, 101]),
        // v2 gets the three classic samples right: one of each species.
        ("2", [1, 51, 101]),
    ])
    func predictsTheRightSpecies(version: String, rows: [Int]) async throws {
        let data = try IrisData.load(Self.dataSet)
        let server = try await ExampleServer.start(model: Self.modelPath(version: version))
        defer { server.stop() }

        let metadata = try await httpRequest(server.url("/v2/models/iris"))
        #expect(metadata.status == 200)
        let meta = try metadata.jsonObject()
        #expect(meta["versions"] as? [String] == [version])
        #expect(meta["name"] as? String == "iris")
        // Both versions take the same four request columns, so clients survive a rollout.
        let inputs = meta["inputs"] as? [[String: Any]]
        #expect(inputs?.first?["shape"] as? [Int] == [-1, 4])

        let chosen = rows.map { data.samples[$0 - 1] }
        let prediction = try await server.infer(chosen.map(\.features), id: "rows-\(version)")
        #expect(prediction.modelVersion == version)
        #expect(prediction.id == "rows-\(version)")
        #expect(prediction.labels == chosen.map(\.species))
        #expect(prediction.probabilities.count == chosen.count)
        for row in prediction.probabilities {
            #expect(row.count == 3)
            #expect(abs(row.reduce(0, +) - 1) < 0.001, "probabilities \(row) should sum to 1")
        }
    }

    /// Each version's accuracy over the whole data set, in one infer request, matches what
    /// its training recorded; v2 is the better model.
    @Test func versionTwoIsMoreAccurateThanVersionOne() async throws {
        let data = try IrisData.load(Self.dataSet)
        #expect(data.samples.count == 150)
        var accuracy: [String: Double] = [:]
        for version in ["1", "2"] {
            let server = try await ExampleServer.start(model: Self.modelPath(version: version))
            defer { server.stop() }
            let prediction = try await server.infer(data.samples.map(\.features))
            #expect(prediction.labels.count == data.samples.count)
            let correct = zip(prediction.labels, data.samples).filter { $0 == $1.species }.count
            let measured = Double(correct) / Double(data.samples.count)
            accuracy[version] = measured

            let recorded = try Self.recordedAccuracy(version: version)
            #expect(abs(measured - recorded) < 0.0001,
                    "v\(version): served accuracy \(measured), training recorded \(recorded)")
        }
        let v1 = try #require(accuracy["1"])
        let v2 = try #require(accuracy["2"])
        #expect(v1 < v2)
        #expect(v2 >= 0.95)
    }

    /// Upgrading from v1 to v2 fixes a prediction a user would see: the first versicolor
    /// sample (row 51), which sepal size alone does not separate from virginica.
    @Test func versionTwoFixesAPredictionVersionOneGetsWrong() async throws {
        let data = try IrisData.load(Self.dataSet)
        let sample = data.samples[50]
        #expect(sample.species == "versicolor")
        var labels: [String: String] = [:]
        for version in ["1", "2"] {
            let server = try await ExampleServer.start(model: Self.modelPath(version: version))
            defer { server.stop() }
            labels[version] = try await server.infer([sample.features]).labels.first
        }
        #expect(labels["2"] == "versicolor")
        #expect(labels["1"] != nil)
        #expect(labels["1"] != "versicolor")
    }

    // MARK: - Protocol

    /// Malformed infer requests are rejected with 400 and a message naming the problem.
    @Test(arguments: [
        (#"{"inputs":[{"name":"input-0","shape":[1,2],"datatype":"FP32","data":[5.1,3.5]}]}"#, "features per row"),
        (#"{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[5.1,"x",1.4,0.2]}]}"#, "data[1]"),
        (#"{"inputs":[{"name":"input-0","shape":[2,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}"#, "needs 8"),
        (#"{"inputs":[{"name":"input-0","shape":[4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}"#, "shape"),
        (#"{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"BYTES","data":["a","b","c","d"]}]}"#, "datatype"),
        (#"{"inputs":[]}"#, "inputs"),
        (#"not json"#, "not valid JSON"),
    ])
    func rejectsMalformedRequests(body: String, mentions: String) async throws {
        let server = try await ExampleServer.start(model: Self.modelPath(version: "2"))
        defer { server.stop() }
        let response = try await httpRequest(
            server.url("/v2/models/iris/infer"), method: "POST", body: Data(body.utf8))
        #expect(response.status == 400)
        let error = try response.jsonObject()["error"] as? String
        #expect(error?.contains(mentions) == true, "error \(String(describing: error)) should mention \(mentions)")
    }

    /// A model name or version the server does not serve is a 404, not someone else's answer.
    @Test func unknownModelIsNotFound() async throws {
        let server = try await ExampleServer.start(model: Self.modelPath(version: "2"))
        defer { server.stop() }
        let wrongName = try await httpRequest(server.url("/v2/models/mnist"))
        #expect(wrongName.status == 404)
        #expect(try wrongName.jsonObject()["error"] as? String != nil)
        let wrongVersion = try await httpRequest(server.url("/v2/models/iris/versions/1"))
        #expect(wrongVersion.status == 404)
        let rightVersion = try await httpRequest(server.url("/v2/models/iris/versions/2/ready"))
        #expect(rightVersion.status == 200)
    }

    /// With `--ready-delay` the server is live but reports not-ready (so a health gate waits).
    @Test func readyDelayKeepsTheServerNotReady() async throws {
        let server = try await ExampleServer.start(
            model: Self.modelPath(version: "2"), extraArguments: ["--ready-delay", "3600"],
            waitForReady: false)
        defer { server.stop() }
        let live = try await httpRequest(server.url("/v2/health/live"))
        #expect(live.status == 200)
        for path in ["/v2/health/ready", "/healthz", "/v2/models/iris/ready"] {
            let ready = try await httpRequest(server.url(path))
            #expect(ready.status == 503, "\(path)")
        }
    }

    // MARK: - Lifecycle

    /// SIGTERM shuts the server down and it exits 0.
    @Test func exitsCleanlyOnSIGTERM() async throws {
        let server = try await ExampleServer.start(model: Self.modelPath(version: "1"))
        defer { server.stop() }
        server.process.send(SIGTERM)
        let status = await server.process.waitForExit(timeout: .seconds(30))
        #expect(status == .exited(0), "stderr: \(server.process.stderr)")
    }

    /// With no flags the server takes its model and port from `MODEL_PATH` and `PORT`, the
    /// variables Mooring exports to every process it starts.
    @Test func takesModelAndPortFromTheEnvironment() async throws {
        let directory = try TemporaryDirectory(prefix: "mooring-example-env")
        defer { directory.remove() }
        let port = try freeLoopbackPort()
        let process = try ManagedProcess(
            executable: "python3", arguments: [Self.serverScript],
            environment: ["MODEL_PATH": Self.modelPath(version: "1"), "PORT": String(port),
                          "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"],
            outputDirectory: directory.url, name: "server")
        defer { process.kill() }
        let line = await process.waitForStdoutLine(containing: "listening on", timeout: .seconds(120))
        #expect(line == "listening on http://127.0.0.1:\(port)", "stderr: \(process.stderr)")
        let metadata = try await httpRequest("http://127.0.0.1:\(port)/v2/models/iris")
        #expect(try metadata.jsonObject()["versions"] as? [String] == ["1"])
    }

    /// A missing or unusable model file is reported on stderr and the server exits 1.
    @Test(arguments: ["missing.json", "broken.json"])
    func refusesABadModelFile(fileName: String) async throws {
        let directory = try TemporaryDirectory(prefix: "mooring-example-bad")
        defer { directory.remove() }
        if fileName == "broken.json" {
            try directory.write(fileName, #"{"name": "iris", "version": "3", "coef": "#)
        }
        let model = directory.appending(fileName).path
        let process = try ManagedProcess(
            executable: "python3",
            arguments: [Self.serverScript, "--model", model, "--port", "0"],
            environment: ["PYTHONDONTWRITEBYTECODE": "1"],
            outputDirectory: directory.url, name: "server")
        defer { process.kill() }
        let status = await process.waitForExit(timeout: .seconds(60))
        #expect(status == .exited(1))
        #expect(process.stderr.contains(model))
        #expect(!process.stdout.contains("listening"))
    }

    static func recordedAccuracy(version: String) throws -> Double {
        let data = try Data(contentsOf: URL(fileURLWithPath: modelPath(version: version)))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["training_accuracy"] as? Double)
    }
}
