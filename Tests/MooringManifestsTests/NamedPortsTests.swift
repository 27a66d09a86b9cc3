import Foundation
import MooringManifests
import Testing

/// `spec.ports` and `{{ports.NAME}}`: declared in the runtime and/or the deployment,
/// validated by name, every reference checked against the merged spec.
struct NamedPortsTests {
    func load(_ yaml: String) -> ManifestSet {
        ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))])
    }

    static let runtime = """
        apiVersion: mooring.dev/v1alpha1
        kind: ServingRuntime
        metadata: {name: mlserver}
        spec:
          ports: [grpc, metrics]
          command: ["mlserver", "start", "--grpc-port", "{{ports.grpc}}", "--metrics-port={{ports.metrics}}"]
          env: {SCRATCH: "{{scratch.dir}}"}
        ---
        """

    @Test func theRuntimesAndTheDeploymentsPortsAreMergedAndSorted() throws {
        let set = load(Self.runtime + "\n" + """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              runtime: mlserver
              ports: [admin-api]
              env: {ADMIN: "{{ports.admin-api}}"}
              health: {exec: {command: ["curl", "-f", "http://127.0.0.1:{{ports.metrics}}/metrics"]}}
            """)
        #expect(set.isValid, "\(set.diagnostics)")
        let iris = try #require(set.deployments.first)
        #expect(iris.ports == ["admin-api", "grpc", "metrics"])
    }

    @Test func aSpecWithoutPortsHashesAsBefore() throws {
        let set = load("""
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec: {command: ["server", "{{port}}"]}
            """)
        let iris = try #require(set.deployments.first)
        #expect(iris.ports == nil)
        #expect(!String(decoding: iris.canonicalJSON(), as: UTF8.self).contains("ports"))
    }

    @Test(arguments: [
        ("ports: [GRPC]", "spec.ports[0]", "contains `G`"),
        ("ports: [grpc, grpc]", "spec.ports[1]", "listed twice"),
        ("ports: [9000]", "spec.ports[0]", "expected a string"),
        ("ports: [a-very-long-port-name]", "spec.ports[0]", "characters long"),
        ("ports: [1grpc]", "spec.ports[0]", "does not start with a letter"),
        ("command: [\"s\", \"{{ports.grcp}}\"]\n  ports: [grpc]", "spec.command", "did you mean `{{ports.grpc}}`?"),
        ("command: [\"s\", \"{{ports.grpc}}\"]", "spec.command", "add `ports: [grpc]`"),
        ("command: [\"s\", \"{{ports.Bad}}\"]", "spec.command[1]", "contains `B`"),
        ("env: {G: \"{{ports.grpc}}\"}", "spec.env.G", "names no port in spec.ports"),
    ])
    func badPortsAreErrorsNamingTheField(line: String, field: String, message: String) {
        let set = load("""
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              \(line.hasPrefix("command") ? "" : "command: [\"server\"]\n  ")\(line)
            """)
        #expect(!set.isValid)
        #expect(set.diagnostics.contains { $0.field == field && $0.message.contains(message) }, "\(set.diagnostics)")
    }

    @Test func templatesRenderNamedPortsAndLeaveUnknownOnesAlone() {
        let rendered = renderTemplate("--grpc={{ports.grpc}} --x={{ports.other}} {{ scratch.dir }}",
                                      values: [.scratchDir: "/s/scratch/iris/g1/0"], ports: ["grpc": 20003])
        #expect(rendered == "--grpc=20003 --x={{ports.other}} /s/scratch/iris/g1/0")
        #expect(NamedPorts.environmentName("admin-api") == "PORT_ADMIN_API")
    }
}
