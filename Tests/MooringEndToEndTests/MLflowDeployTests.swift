import Foundation
import MooringTesting
import Testing

/// `models:/iris/N` from a real `mlflow server` through the built binary, configured as a
/// user would (`artifacts.mlflow.trackingURI` in the host configuration): version 1, then
/// 2, then a `git revert` back to 1 that downloads nothing — counted by a proxy in front
/// of the registry, through which every registry and artifact request goes.
@Suite(.timeLimit(.minutes(6)))
struct MLflowDeployTests {
    /// The iris deployment serving `models:/iris/VERSION`'s `iris.json` (the model server
    /// reads the version it reports from that file).
    static func deployment(_ version: Int) -> String {
        """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          model: {uri: "models:/iris/\(version)"}
          command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py",
                    "--model", "{{model.path}}/iris.json", "--port", "{{port}}", "--name", "{{name}}"]
          health: {http: {path: /v2/health/ready}, periodSeconds: 1, startupTimeoutSeconds: 20}
          rollout: {minHealthySeconds: 1, progressDeadlineSeconds: 30}
        """
    }

    @Test func versionOneThenTwoThenARevertThatDownloadsNothing() async throws {
        try await ControllerHarness.with(name: "mlflow-deploy") { h in
            let mlflow = try await MLflowServer(directory: h.directory.url)
            defer { mlflow.stop() }
            let proxy = try CountingProxy(target: mlflow.trackingURI)
            defer { proxy.stop() }
            try await mlflow.createModel("iris")
            var artifactPaths: [Int: String] = [:]
            for version in [1, 2] {
                let model = try Data(contentsOf: MooringBinary.packageRoot.appendingPathComponent("models/iris-v\(version).json"))
                let source = try await mlflow.registerVersion(of: "iris", files: ["iris.json": model, "MLmodel": Data("flavors: {}\n".utf8)])
                // mlflow-artifacts:/0/RUN/artifacts/model → the proxy's path of its iris.json.
                let proxied = source.drop { $0 != ":" }.dropFirst().drop { $0 == "/" }
                artifactPaths[version] = "GET /api/2.0/mlflow-artifacts/artifacts/\(proxied)/iris.json"
            }
            func downloads(_ version: Int) async throws -> Int {
                try await proxy.counts()[try #require(artifactPaths[version])] ?? 0
            }
            let config = try h.directory.write("host.yaml", """
                artifacts:
                  mlflow: {trackingURI: "\(proxy.baseURL)"}
                """)

            try h.repo.write("manifests/iris.yaml", Self.deployment(1))
            let first = try h.repo.commitAll("iris 1 from the MLflow registry")
            try h.startController(interval: "200ms", arguments: ["--config", config.path])
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "1")
            let pid = try #require(h.modelProcesses(of: "iris").first)
            let environment = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/environ"))
            let treePrefix = "MODEL_PATH=\(h.stateDirectory.path)/artifacts/trees/"
            #expect(environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self).hasPrefix(treePrefix) })
            #expect(try await downloads(1) == 1)

            try h.repo.write("manifests/iris.yaml", Self.deployment(2))
            let second = try await h.commit("iris 2 from the MLflow registry")
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
            #expect(try await downloads(2) == 1)

            try h.repo.git("revert", "--no-edit", "HEAD")
            let revert = try h.repo.revParse()
            _ = try await h.mooring(["sync"])
            #expect(try await h.waitUntilServing("iris", at: revert), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "1")
            // Version 1 came from the cache: no second download, not even a registry lookup.
            let counts = try await proxy.counts()
            #expect(try await downloads(1) == 1, "\(counts)")
            #expect(try await downloads(2) == 1, "\(counts)")
            #expect(try await proxy.count(containing: "model-versions/get-download-uri") == 2, "\(counts)")
        }
    }
}
