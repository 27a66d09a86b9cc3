import Foundation
import MooringManifests
import Testing

/// `policy:` of the host configuration applied to a revision, and `{{host.NAME}}`.
struct PolicyTests {
    static let runtimeYAML = """
        apiVersion: mooring.dev/v1alpha1
        kind: ServingRuntime
        metadata: {name: mlserver}
        spec:
          command: ["{{host.venv}}/bin/mlserver", "start", "--port", "{{port}}"]
        """

    static func hostRuntimes() throws -> [String: ServingRuntime] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mooring-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) } // a test's own temporary folder
        try Data(runtimeYAML.utf8).write(to: dir.appendingPathComponent("mlserver.yaml"))
        let (runtimes, diagnostics) = try ManifestPolicy.loadHostRuntimes(directory: dir, hostVariables: ["venv"])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return runtimes
    }

    static func deployment(_ spec: String) -> String {
        "apiVersion: mooring.dev/v1alpha1\nkind: ModelDeployment\nmetadata: {name: iris}\nspec:\n" + spec
    }

    static func load(_ yaml: String, policy: ManifestPolicy, hostVariables: Set<String>? = ["venv"]) -> ManifestSet {
        ManifestSet.load(files: [ManifestFile(path: "manifests/iris.yaml", contents: Data(yaml.utf8))],
                         policy: policy, hostVariables: hostVariables)
    }

    @Test(arguments: [
        // (policy runtimes, spec, expected error position, field, message fragment)
        (ManifestPolicy.Runtimes.repository, "  command: [python3, serve.py]\n", "5:12", "spec.command", "policy.runtimes is repository on this host"),
        (.hostOnly, "  command: [python3, serve.py]\n", "5:12", "spec.command", "policy.runtimes is host-only on this host"),
        (.hostOnly, "  runtime: mlserver\n  workingDir: sub\n", "6:15", "spec.workingDir", "may not set spec.workingDir"),
        (.hostOnly, "  runtime: mlserver\n  env: {SECRET: x, LOG_LEVEL: debug}\n", "6:17", "spec.env.SECRET", "policy.allowedEnvKeys"),
        (.hostOnly, "  runtime: other\n", "5:12", "spec.runtime", "no host ServingRuntime named `other`"),
        (.hostOnly, "  runtime: mlserver\n  health: {exec: {command: [sh, -c, 'true']}}\n", "6:18", "spec.health.exec", "may not run an exec probe"),
    ])
    func runtimePolicyRejectsWithTheKeyNamed(mode: ManifestPolicy.Runtimes, spec: String, position: String, field: String, message: String) throws {
        let policy = ManifestPolicy(runtimes: mode, hostRuntimes: try Self.hostRuntimes(), allowedEnvKeys: ["LOG_LEVEL"])
        let set = Self.load(Self.deployment(spec), policy: policy)
        #expect(!set.isValid)
        let error = try #require(set.diagnostics.first { $0.field == field }, "\(set.diagnostics)")
        #expect("\(error.position.line):\(error.position.column)" == position, "\(error)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func hostOnlyDeploymentNamingAHostRuntimeResolvesWithIt() throws {
        let policy = ManifestPolicy(runtimes: .hostOnly, hostRuntimes: try Self.hostRuntimes(), allowedEnvKeys: ["LOG_LEVEL"])
        let set = Self.load(Self.deployment("  runtime: mlserver\n  env: {LOG_LEVEL: debug}\n  replicas: 2\n"), policy: policy)
        #expect(set.isValid, "\(set.diagnostics)")
        #expect(set.deployments.first?.command == ["{{host.venv}}/bin/mlserver", "start", "--port", "{{port}}"])
    }

    @Test func hostOnlyRejectsARepositoryRuntime() throws {
        let policy = ManifestPolicy(runtimes: .hostOnly, hostRuntimes: try Self.hostRuntimes())
        let set = Self.load(Self.runtimeYAML, policy: policy)
        let error = try #require(set.diagnostics.first)
        #expect(error.message.contains("policy.runtimes is host-only on this host: ServingRuntimes from the repository are not allowed"))
    }

    @Test func anyIsTodaysTrustingBehaviour() {
        let set = Self.load(Self.deployment("  command: [python3, serve.py]\n  health: {exec: {command: ['true']}}\n"), policy: .trusting)
        #expect(set.isValid, "\(set.diagnostics)")
    }

    @Test(arguments: [
        ("  command: [x]\n  replicas: 5\n", ManifestPolicy(maxReplicas: 4), "6:13", "policy.maxReplicas on this host is 4"),
        ("  command: [x]\n", ManifestPolicy(maxReplicas: 0), "3:18", "policy.maxReplicas on this host is 0"),
        ("  command: [x]\n  model: {uri: models/iris.json}\n", ManifestPolicy(allowedModelSchemes: ["https"]), "6:16",
         "policy.allowedModelSchemes on this host does not allow model paths inside the repository"),
    ])
    func limitsOnWhatADeploymentAsksFor(spec: String, policy: ManifestPolicy, position: String, message: String) throws {
        let set = Self.load(Self.deployment(spec), policy: policy)
        let error = try #require(set.diagnostics.first { $0.message.contains("policy.") }, "\(set.diagnostics)")
        #expect("\(error.position.line):\(error.position.column)" == position, "\(error)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func hostVariablesAreCheckedAgainstTheHostsNames() throws {
        let yaml = Self.deployment("  command: [\"{{host.venv}}/bin/python\", \"{{host.vnev}}\"]\n")
        let checked = Self.load(yaml, policy: .trusting, hostVariables: ["venv"])
        let error = try #require(checked.diagnostics.first { $0.severity == .error })
        #expect(error.message.contains("unknown host variable `{{host.vnev}}`; did you mean `{{host.venv}}`?"), "\(error)")
        #expect(error.position.column == 42)

        let unchecked = Self.load(yaml, policy: .trusting, hostVariables: nil)
        #expect(unchecked.isValid)
        #expect(unchecked.diagnostics.count == 2)
        #expect(unchecked.diagnostics.allSatisfy { $0.severity == .warning && $0.message.contains("is not checked") })
    }

    @Test func hostVariablesRender() {
        let text = renderTemplate("{{host.venv}}/bin/python -p {{port}} {{host.missing}}", values: [.port: "8080"],
                                  hostVariables: ["venv": "/opt/v"])
        #expect(text == "/opt/v/bin/python -p 8080 {{host.missing}}")
    }
}
