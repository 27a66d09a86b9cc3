import Foundation
import MooringManifests

/// `make bench`: measures what the README promises, on this machine, in release mode.
///
/// 1. Decoding and validating 1,000 ModelDeployments (100 files of 10 documents, one
///    ServingRuntime, model paths checked against an in-memory repository): the
///    `manifests-decode` section (`DecodeBench`); `mooring-bench decode` stops after it.
/// 2. Rejecting hostile manifests: alias bombs, deep nesting, millions of keys.
/// 3. The supervisor with real processes: listening → Ready, crash → restart, stopping
///    many replicas (`SupervisorBench`); written to the `supervisor` section of
///    `BENCHMARKS.md` in the current directory.
/// 4. 1,000 deployments read from a Git commit, before and after the model-path and
///    decoded-file cache fixes (`ManifestGitBench`), the `manifests-git` section.

/// 5. The stable endpoint: latency and throughput direct vs through HAProxy
///    (`ProxyBench`), the `proxy` section. `mooring-bench proxy` runs only this part.
/// Runs one part that writes a section of `BENCHMARKS.md`; a failure ends the run.
func runSection(_ name: String, _ label: String, _ body: () async throws -> String) async {
    do {
        let section = try await body()
        print(section)
        try BenchmarksFile.write(section: name, section, to: URL(fileURLWithPath: "BENCHMARKS.md"))
    } catch {
        print("\(label) benchmark failed: \(error)")
        exit(1)
    }
}
if CommandLine.arguments.dropFirst().first == "proxy" {
    await runSection("proxy", "proxy") { try await ProxyBench.run() }
    exit(0)
}

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
// The `manifests-decode` section; `mooring-bench decode` measures only this.
do {
    let section = DecodeBench.run(files: files, repository: repository)
    print(section)
    try BenchmarksFile.write(section: "manifests-decode", section, to: URL(fileURLWithPath: "BENCHMARKS.md"))
} catch {
    print("manifest decoding benchmark failed: \(error)")
    exit(1)
}
if CommandLine.arguments.dropFirst().first == "decode" { exit(0) }
measure("spec hash of 1000 resolved deployments", iterations: 10) {
    for deployment in check.deployments { _ = deployment.specHash }
}

// 2. Rejecting hostile manifests (each must fail fast with one diagnostic; the tests assert
//    generous bounds, this prints the real figures).
func hostile(_ label: String, _ data: Data, limits: ManifestLimits = .default) {
    let file = ManifestFile(path: "hostile.yaml", contents: data)
    var first = ""
    measure("reject \(label) (\(data.count) bytes)", iterations: 3) {
        let set = ManifestSet.load(files: [file], limits: limits)
        first = set.diagnostics.first?.description ?? "NOT REJECTED"
    }
    print("  → \(first.prefix(120))")
}
var laughs = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
for (previous, name) in zip("abcdefgh", "bcdefghi") {
    laughs.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
}
hostile("alias bomb in values", Data(laughs.joined(separator: "\n").utf8))
hostile("alias bomb as a key", Data((laughs.prefix(5).joined(separator: "\n") + "\n? *e\n: x\n").utf8))
hostile("10,000-deep nesting", Data((String(repeating: "[\n", count: 10_000) + String(repeating: "]", count: 10_000)).utf8))
var keys = ""
for index in 0..<2_000_000 { keys += "k\(index): 1\n" }
hostile("2 M keys", Data(keys.utf8))
hostile("2 M keys, size limit lifted", Data(keys.utf8), limits: ManifestLimits(maxFileBytes: 64 << 20))
var usage = rusage()
getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
print("peak resident memory of the whole run: \(usage.ru_maxrss / 1024) MiB")

await runSection("manifests-git", "manifests-from-Git") { try await ManifestGitBench.run() }
await runSection("supervisor", "supervisor") { try await SupervisorBench.run() }
await runSection("proxy", "proxy") { try await ProxyBench.run() }
