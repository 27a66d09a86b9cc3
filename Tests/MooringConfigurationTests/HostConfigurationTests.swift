import Foundation
import MooringConfiguration
import MooringGit
import MooringManifests
import MooringTesting
import Testing

/// The host configuration file: every key read, problems positioned like manifests.
struct HostConfigurationTests {
    @Test func everyKeyIsRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("runtimes/mlserver.yaml", """
            apiVersion: mooring.dev/v1alpha1
            kind: ServingRuntime
            metadata: {name: mlserver}
            spec:
              command: ["{{host.venv}}/bin/mlserver", "start", "."]
            """)
        let file = try dir.write("config.yaml", """
            source:
              repo: https://git.example.com/models.git
              branch: production
              path: deploy/manifests
              tokenFile: secrets/token
              username: bot
            interval: 5m
            portRange: 21000-21999
            api: {listen: "127.0.0.1:7070", tokenFile: /etc/mooring/api-token}
            webhook: {secretFile: /etc/mooring/webhook-secret}
            hostVars:
              venv: /opt/venvs/mlserver
            policy:
              runtimes: host-only
              runtimeDirectory: runtimes
              allowedEnvKeys: [LOG_LEVEL]
              allowedModelSchemes: [repository]
              maxReplicas: 4
              endpointPortRanges: ["8000-8099"]
              verifyCommits: {mode: ssh, allowedSigners: allowed_signers}
            limits: {maxFileBytes: 65536, maxDepth: 32}
            retention: {rolloutsPerDeployment: 5000, eventsMaxAge: 365d}
            """)
        let config = try HostConfiguration.load(path: file.path)
        #expect(config.source.repo == "https://git.example.com/models.git")
        #expect(config.source.reference == .branch("production"))
        #expect(config.source.path == "deploy/manifests")
        #expect(config.source.tokenFile == dir.appending("secrets/token").path)
        #expect(config.source.username == "bot")
        #expect(config.interval == .seconds(300))
        #expect(config.portRange == 21000...21999)
        #expect(config.api.listen == "127.0.0.1:7070")
        #expect(config.api.tokenFile == "/etc/mooring/api-token")
        #expect(config.webhookSecretFile == "/etc/mooring/webhook-secret")
        #expect(config.hostVariables == ["venv": "/opt/venvs/mlserver"])
        #expect(config.policy.runtimes == .hostOnly)
        #expect(config.policy.hostRuntimes.keys.sorted() == ["mlserver"])
        #expect(config.policy.allowedEnvKeys == ["LOG_LEVEL"])
        #expect(config.policy.allowedModelSchemes == ["repository"])
        #expect(config.policy.maxReplicas == 4)
        #expect(config.policy.endpointPortRanges == [8000...8099])
        #expect(config.commitSignatures == CommitSignaturePolicy(mode: .ssh(allowedSigners: dir.appending("allowed_signers").path)))
        #expect(config.limits.maxFileBytes == 65536)
        #expect(config.limits.maxDepth == 32)
        #expect(config.limits.maxTotalBytes == ManifestLimits.default.maxTotalBytes)
        #expect(config.retention.rolloutsPerDeployment == 5000)
        #expect(config.retention.eventsMaxAge == .seconds(365 * 86_400))
        #expect(config.warnings.isEmpty)
    }

    @Test(arguments: [
        ("polciy:\n  runtimes: any\n", "1:1", "unknown field `polciy`; did you mean `policy`?"),
        ("policy:\n  runtimes: host\n", "2:13", "`host` is not a valid value"),
        ("interval: soon\n", "1:11", "`soon` is not a duration"),
        ("portRange: 30000-20000\n", "1:12", "is not a port range"),
        ("hostVars:\n  venv: [a, b]\n", "2:9", "expected a string, got a list"),
        ("policy:\n  runtimes: host-only\n", "2:3", "missing required field `runtimeDirectory`"),
        ("policy:\n  verifyCommits: {mode: ssh}\n", "2:18", "missing required field `allowedSigners`"),
        ("policy:\n  verifyCommits: {mode: x509, keyring: k}\n", "2:25", "`x509` is not a valid value; use `ssh` or `gpg`"),
        ("source:\n  branch: a\n  tag: b\n", "3:8", "give one of source.branch, source.tag and source.commit"),
        ("limits:\n  maxDepth: 2\n", "2:13", "2 is out of range"),
        ("policy: [any]\n", "1:9", "expected a mapping, got a list"),
    ])
    func problemsArePositioned(text: String, position: String, message: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("config.yaml", text)
        let error = try #require(throws: HostConfigurationError.self) { try HostConfiguration.load(path: file.path) }
        let first = try #require(error.diagnostics.first { $0.severity == .error })
        #expect("\(first.position.line):\(first.position.column)" == position, "\(error)")
        #expect(first.position.file == file.path)
        #expect(first.message.contains(message), "\(first.message)")
    }

    @Test func hostRuntimeProblemsNameTheirOwnFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("runtimes/bad.yaml", "apiVersion: mooring.dev/v1alpha1\nkind: ServingRuntime\nmetadata: {name: bad}\nspec:\n  comand: [x]\n")
        let file = try dir.write("config.yaml", "policy:\n  runtimes: host-only\n  runtimeDirectory: runtimes\n")
        let error = try #require(throws: HostConfigurationError.self) { try HostConfiguration.load(path: file.path) }
        #expect(error.description.contains(dir.appending("runtimes/bad.yaml").path + ":5:3: error: spec.comand: unknown field `comand`; did you mean `command`?"),
                "\(error)")
    }

    @Test func defaultFileIsUsedOnlyWhenItExists() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = dir.appending("config.yaml").path
        #expect(HostConfiguration.locate(explicit: nil, defaultPath: missing) == nil)
        try dir.write("config.yaml", "interval: 1m\n")
        #expect(HostConfiguration.locate(explicit: nil, defaultPath: missing) == missing)
        #expect(HostConfiguration.locate(explicit: "/x.yaml", defaultPath: missing) == "/x.yaml")
    }
}
