import Foundation
import MooringManifests
import MooringTesting
import Testing

/// Runtime merging, defaults and spec identity.
struct ResolutionTests {
    static let fixtures = FixtureCorpusTests.fixtures

    func loadValid() throws -> ManifestSet {
        let url = Self.fixtures.appendingPathComponent("valid/runtime-and-deployments.yaml")
        let file = ManifestFile(path: "valid/runtime-and-deployments.yaml", contents: try Data(contentsOf: url))
        return ManifestSet.load(files: [file], repository: FileSystemRepository(root: Self.fixtures))
    }

    @Test func validFileResolvesWithRuntimeMergedFieldByField() throws {
        let set = try loadValid()
        #expect(set.isValid, "\(set.diagnostics)")
        #expect(set.deployments.map(\.name) == ["echo", "iris"])
        let iris = try #require(set.deployments.first { $0.name == "iris" })
        // command comes from the runtime
        #expect(iris.command.first == "python3")
        #expect(iris.command.contains("{{model.path}}"))
        // env merged key by key, the deployment wins
        #expect(iris.env == ["PYTHONUNBUFFERED": "1", "LOG_LEVEL": "debug"])
        // health merged field by field: probe and period from the runtime, threshold from the deployment
        #expect(iris.health.probe == .http(path: "/v2/health/ready", port: nil, scheme: "http"))
        #expect(iris.health.periodSeconds == 5)
        #expect(iris.health.failureThreshold == 5)
        #expect(iris.health.timeoutSeconds == ManifestDefaults.timeoutSeconds)
        #expect(iris.model?.uri == "models/iris.json")
        #expect(iris.model?.version == "2")
        #expect(iris.labels == ["team": "risk"])
        #expect(iris.runtime == "python-kserve")
    }

    @Test func defaultsFillEveryFieldNobodySet() throws {
        let set = try loadValid()
        let iris = try #require(set.deployments.first { $0.name == "iris" })
        #expect(iris.replicas == 1)
        #expect(iris.rollout.strategy == .surge)
        #expect(iris.rollout.minHealthySeconds == 10)
        #expect(iris.rollout.progressDeadlineSeconds == 600)
        #expect(iris.rollout.autoRollback)
        #expect(iris.restart.policy == .always)
        #expect(iris.restart.backoffInitialSeconds == 1)
        #expect(iris.restart.backoffMaxSeconds == 300)
        #expect(iris.restart.backoffResetAfterSeconds == 600)
        #expect(iris.gracePeriodSeconds == 30)
        #expect(iris.health.startupTimeoutSeconds == 600)
        #expect(iris.workingDir == "{{revision.dir}}")
        #expect(!iris.suspend)

        let echo = try #require(set.deployments.first { $0.name == "echo" })
        #expect(echo.replicas == 2)
        #expect(echo.health.probe == .tcp(port: nil)) // no probe given: TCP connect to the port
        #expect(echo.restart.policy == .onFailure)
        #expect(echo.restart.backoffInitialSeconds == 0.5)
        #expect(echo.rollout.strategy == .recreate)
        #expect(!echo.rollout.autoRollback)
        #expect(echo.gracePeriodSeconds == 5)
        #expect(echo.suspend)
        #expect(echo.workingDir == "workdirs/app")
    }

    @Test func reformattingYAMLDoesNotChangeTheSpecHash() throws {
        let block = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata:
              name: iris
            spec:
              command: ["python3", "server.py", "--port", "{{port}}"]
              env:
                B: "2"
                A: "1"
              health:
                http:
                  path: /healthz
            """
        let flow = """
            # same spec, other layout, other key order, comments
            kind: ModelDeployment
            apiVersion: "mooring.dev/v1alpha1"
            spec: {health: {http: {path: "/healthz"}}, env: {A: '1', B: "2"},
                   command: [python3, server.py, --port, "{{port}}"]}
            metadata: {name: iris}
            """
        let a = ManifestSet.load(files: [ManifestFile(path: "a.yaml", contents: Data(block.utf8))])
        let b = ManifestSet.load(files: [ManifestFile(path: "b.yaml", contents: Data(flow.utf8))])
        #expect(a.isValid && b.isValid, "\(a.diagnostics) \(b.diagnostics)")
        let specA = try #require(a.deployments.first), specB = try #require(b.deployments.first)
        #expect(specA.specHash == specB.specHash)
        #expect(specA.specHash.count == 64)
    }

    @Test func changingARuntimeChangesTheHashOfEveryDeploymentUsingIt() throws {
        func set(flag: String) -> ManifestSet {
            let yaml = """
                apiVersion: mooring.dev/v1alpha1
                kind: ServingRuntime
                metadata: {name: rt}
                spec: {command: ["python3", "server.py", "\(flag)"]}
                ---
                apiVersion: mooring.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: one}
                spec: {runtime: rt}
                ---
                apiVersion: mooring.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: two}
                spec: {runtime: rt}
                ---
                apiVersion: mooring.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: other}
                spec: {command: ["python3", "other.py"]}
                """
            return ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))])
        }
        let before = set(flag: "--fast"), after = set(flag: "--slow")
        #expect(before.isValid && after.isValid)
        let hashesBefore = Dictionary(uniqueKeysWithValues: before.deployments.map { ($0.name, $0.specHash) })
        let hashesAfter = Dictionary(uniqueKeysWithValues: after.deployments.map { ($0.name, $0.specHash) })
        #expect(hashesBefore["one"] != hashesAfter["one"])
        #expect(hashesBefore["two"] != hashesAfter["two"])
        #expect(hashesBefore["other"] == hashesAfter["other"])
    }

    @Test func scalingChangesTheSpecHashButNotTheTemplateHash() throws {
        func deployment(replicas: Int) throws -> ResolvedDeployment {
            let yaml = """
                apiVersion: mooring.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: iris}
                spec: {command: ["python3", "server.py"], replicas: \(replicas)}
                """
            return try #require(ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))]).deployments.first)
        }
        let one = try deployment(replicas: 1), three = try deployment(replicas: 3)
        #expect(one.specHash != three.specHash)
        #expect(one.templateHash == three.templateHash)
    }

    @Test func duplicateNamesAcrossFilesPointAtBoth() {
        let doc = { (cmd: String) in
            """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata:
              name: iris
            spec:
              command: ["\(cmd)"]
            """
        }
        let set = ManifestSet.load(files: [
            ManifestFile(path: "manifests/a.yaml", contents: Data(doc("a").utf8)),
            ManifestFile(path: "manifests/team/b.yml", contents: Data(doc("b").utf8)),
        ])
        #expect(!set.isValid)
        #expect(set.diagnostics.map(\.description) == [
            "manifests/team/b.yml:4:9: error: metadata.name: ModelDeployment `iris` is already defined at manifests/a.yaml:4:9; names are unique across the repository, rename one",
        ])
    }

    @Test func aDeploymentAndARuntimeMayShareAName() {
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ServingRuntime
            metadata: {name: iris}
            spec: {command: ["python3", "server.py"]}
            ---
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec: {runtime: iris}
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))])
        #expect(set.isValid, "\(set.diagnostics)")
    }
}
