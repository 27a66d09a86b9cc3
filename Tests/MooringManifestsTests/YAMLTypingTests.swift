import Foundation
import MooringManifests
import Testing

/// Plain scalars are typed by the YAML 1.2 core schema when a field reads them; the
/// spellings YAML 1.1 reads otherwise are rejected with a hint (see docs/manifests.md).
struct YAMLTypingTests {
    /// A deployment with `lines` added under `spec:` (indented by two spaces).
    static func load(spec lines: String) -> ManifestSet {
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              command: ["python3", "server.py"]
            \(lines.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

            """
        return ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))])
    }

    @Test(arguments: [
        ("suspend: yes", "m.yaml:6:12: error: spec.suspend: expected true or false, got a YAML 1.1 boolean (yes); YAML 1.2 reads it as a string: write true or false"),
        ("suspend: Off", "m.yaml:6:12: error: spec.suspend: expected true or false, got a YAML 1.1 boolean (Off); YAML 1.2 reads it as a string: write true or false"),
        ("env: {DEBUG: on}", "m.yaml:6:16: error: spec.env.DEBUG: expected a string, got a YAML 1.1 boolean (on); quote it: \"on\""),
        ("replicas: 010", "m.yaml:6:13: error: spec.replicas: expected an integer, got a YAML 1.1 integer (010); YAML 1.2 reads it otherwise: write a plain decimal number (no leading zeros, `_` or `:`), `0o` for octal or `0x` for hex"),
        ("replicas: 1_0", "m.yaml:6:13: error: spec.replicas: expected an integer, got a YAML 1.1 integer (1_0); YAML 1.2 reads it otherwise: write a plain decimal number (no leading zeros, `_` or `:`), `0o` for octal or `0x` for hex"),
        ("stop: {gracePeriodSeconds: 1:30}", "m.yaml:6:30: error: spec.stop.gracePeriodSeconds: expected an integer (seconds), got a YAML 1.1 integer (1:30); YAML 1.2 reads it otherwise: write a plain decimal number (no leading zeros, `_` or `:`), `0o` for octal or `0x` for hex"),
        ("replicas: 0b10", "m.yaml:6:13: error: spec.replicas: expected an integer, got a YAML 1.1 integer (0b10); YAML 1.2 reads it otherwise: write a plain decimal number (no leading zeros, `_` or `:`), `0o` for octal or `0x` for hex"),
        ("runtime: !custom x", "m.yaml:6:12: error: spec.runtime: expected a string, got a value tagged `!custom`; quote it: \"x\""),
        ("replicas: 2.5", "m.yaml:6:13: error: spec.replicas: expected an integer, got a number (2.5)"),
    ])
    func yaml11SpellingsAndWrongTypesAreRejectedWithAHint(spec: String, expected: String) {
        let set = Self.load(spec: spec)
        #expect(set.diagnostics.map(\.description) == [expected])
    }

    @Test func coreSchemaSpellingsAreRead() throws {
        let set = Self.load(spec: """
            replicas: 0x2
            suspend: TRUE
            model: {uri: models/iris.json, version: 2024-01-01}
            restart: {backoff: {initialSeconds: 1e0, maxSeconds: .5e2, resetAfterSeconds: 0o17}}
            env: {A: "yes", B: '010', C: !!str 3, D: ~}
            """)
        let diagnostics = set.diagnostics.filter { $0.severity == .error && !$0.message.contains("models/iris.json") }
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let deployment = try #require(set.deployments.first)
        #expect(deployment.replicas == 2)
        #expect(deployment.model?.version == "2024-01-01")
        #expect(deployment.restart.backoffInitialSeconds == 1)
        #expect(deployment.restart.backoffMaxSeconds == 50)
        #expect(deployment.restart.backoffResetAfterSeconds == 15)
        #expect(deployment.env == ["A": "yes", "B": "010", "C": "3", "D": ""])
    }

    @Test func duplicateKeysEndTheFileAtTheFirstOfThemKeepingEarlierDocuments() {
        let first = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec: {command: ["x"]}
            """
        let yaml = first + "\n---\nb: 1\na: 2\nb: 3\na: 4\n"
        let set = ManifestSet.load(files: [ManifestFile(path: "d.yaml", contents: Data(yaml.utf8))])
        #expect(set.diagnostics.map(\.description) == ["d.yaml:7:1: error: duplicate key `a`, `b` in a mapping; keep one"])
        #expect(set.deployments.map(\.name) == ["iris"])
    }
}
