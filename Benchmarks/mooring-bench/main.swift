import Foundation
import MooringManifests

/// `make bench`: measures what the README promises, on this machine, in release mode.
///
/// 1. Decoding and validating 1,000 ModelDeployments (100 files of 10 documents, one
///    ServingRuntime, model paths checked against an in-memory repository).
/// 2. The supervisor with real processes: listening → Ready, crash → restart, stopping
///    many replicas (`SupervisorBench`); written to the `supervisor` section of
///    `BENCHMARKS.md` in the current directory.

/// An in-memory repository holding the model files the generated deployments name.
struct MemoryRepository: RepositoryView {
    var files: [String: Data]
    func entry(at path: String) -> RepositoryEntry {
        if files[path] != nil { return .file }
        if files.keys.contains(where: { $0.hasPrefix(path + "/") }) { return .directory }
        return .missing
    }
    func contents(at path: String) -> Data? { files[path] }
}

func generate(deployments count: Int, perFile: Int) -> [ManifestFile] {
    var files: [ManifestFile] = [ManifestFile(path: "manifests/runtime.yaml", contents: Data("""
        apiVersion: mooring.dev/v1alpha1
        kind: ServingRuntime
        metadata: {name: python-kserve}
        spec:
          command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py",
                    "--model", "{{model.path}}", "--port", "{{port}}", "--name", "{{name}}"]
          health: {http: {path: /v2/health/ready}, periodSeconds: 5}
        """.utf8))]
    var text = ""
    for i in 0..<count {
        text += """
            ---
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata:
              name: model-\(i)
              labels: {team: team-\(i % 7)}
            spec:
              model:
                uri: models/model-\(i % 10).json
                version: "\(i % 3 + 1)"
              runtime: python-kserve
              env: {OMP_NUM_THREADS: "1", SHARD: "\(i)"}
              replicas: \(i % 2 + 1)
              rollout: {strategy: Surge, minHealthySeconds: 5}
              restart: {policy: Always, backoff: {initialSeconds: 1, maxSeconds: 60}}

            """
        if (i + 1) % perFile == 0 {
            files.append(ManifestFile(path: "manifests/batch-\(i / perFile).yaml", contents: Data(text.utf8)))
            text = ""
        }
    }
    return files
}

func measure(_ label: String, iterations: Int, _ body: () -> Void) {
    body() // warm up
    let clock = ContinuousClock()
    var samples: [Duration] = []
    for _ in 0..<iterations { samples.append(clock.measure(body)) }
    samples.sort()
    func ms(_ d: Duration) -> String {
        let value = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return String(format: "%.1f ms", value)
    }
    print("\(label): median \(ms(samples[samples.count / 2])) over \(iterations) runs (min \(ms(samples[0])), max \(ms(samples[samples.count - 1])))")
}

let files = generate(deployments: 1_000, perFile: 10)
var models: [String: Data] = [:]
for i in 0..<10 { models["models/model-\(i).json"] = Data("{\"name\": \"m\(i)\"}".utf8) }
let repository = MemoryRepository(files: models)

let check = ManifestSet.load(files: files, repository: repository)
guard check.isValid, check.deployments.count == 1_000 else {
    print("benchmark input is not valid: \(check.diagnostics.prefix(5))")
    exit(1)
}
measure("decode+validate 1000 deployments (\(files.count) files)", iterations: 10) {
    _ = ManifestSet.load(files: files, repository: repository)
}
measure("spec hash of 1000 resolved deployments", iterations: 10) {
    for deployment in check.deployments { _ = deployment.specHash }
}

do {
    let section = try await SupervisorBench.run()
    print(section)
    try BenchmarksFile.write(section: "supervisor", section, to: URL(fileURLWithPath: "BENCHMARKS.md"))
} catch {
    print("supervisor benchmark failed: \(error)")
    exit(1)
}
