import Foundation
import MooringManifests
import Testing

/// Spec identity: what the spec hash covers, and that its versions keep stored hashes
/// comparable.
struct SpecIdentityTests {
    /// Two deployments that between them set every field the resolved spec has (a
    /// runtime merged in, labels, env with non-ASCII text, every probe kind but TCP,
    /// fractional backoff, `sha256`, `suspend`).
    static let goldenManifests = """
        apiVersion: mooring.dev/v1alpha1
        kind: ServingRuntime
        metadata: {name: python-kserve}
        spec:
          command: ["python3", "{{revision.dir}}/server.py", "--model", "{{model.path}}", "--port", "{{port}}"]
          env: {PYTHONUNBUFFERED: "1", LOG_LEVEL: info}
          health:
            http: {path: /v2/health/ready, port: 9000, scheme: https}
            periodSeconds: 5
          restart:
            policy: OnFailure
            backoff: {initialSeconds: 0.5, maxSeconds: 120}
          stop: {gracePeriodSeconds: 12}
        ---
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata:
          name: iris
          labels: {team: risk, tier: "gold/1"}
        spec:
          runtime: python-kserve
          model:
            uri: models/iris
            version: "2.1"
          env: {LOG_LEVEL: debug, "UNICODE": "é→✓"}
          replicas: 3
          workingDir: "{{revision.dir}}/app"
          health: {failureThreshold: 5, startupTimeoutSeconds: 90}
          rollout: {strategy: Recreate, minHealthySeconds: 7, progressDeadlineSeconds: 300, autoRollback: false}
        ---
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: echo}
        spec:
          model: {uri: models/echo.bin, sha256: "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"}
          command: ["sh", "-c", "exec server --port {{port}}"]
          health: {exec: {command: ["true"]}}
          suspend: true
        """

    /// The hashes the code before spec-hash versions (commit 57cb00e, hand-written
    /// SHA-256, no `contentID`) computed for `goldenManifests`: printed once by a test
    /// run on that commit (`specHash`, `templateHash`, `canonicalJSON()` of each
    /// deployment) and pinned here. Version 1 must keep reproducing them byte for byte,
    /// or every stored hash would stop matching.
    static let legacy: [String: (spec: String, template: String)] = [
        "iris": ("5cdf673aeb14f62c83d2ad935e0b8c3a2f5c85c785eff9eef95fe377c27d3152",
                 "f174a56bc2542a17e2431d961aab76014dd64d7aa786e5edf050c4f0ce780792"),
        "echo": ("310cd473b0d226341f619e0c63b53a9f39ec942d14f7800910dad0f7df1c2dec",
                 "2e327d5f5e55706f81c21c9a7e3e4c784a4595ae5c0b5675dd99fc8784ddf044"),
    ]

    /// The canonical JSON commit 57cb00e stored for `iris` (same run as `legacy`).
    static let legacyIrisJSON = #"{"command":["python3","{{revision.dir}}/server.py","--model","{{model.path}}","--port","{{port}}"],"env":{"LOG_LEVEL":"debug","PYTHONUNBUFFERED":"1","UNICODE":"é→✓"},"gracePeriodSeconds":12,"health":{"failureThreshold":5,"periodSeconds":5,"probe":{"http":{"path":"/v2/health/ready","port":9000,"scheme":"https"}},"startupTimeoutSeconds":90,"successThreshold":1,"timeoutSeconds":1},"labels":{"team":"risk","tier":"gold/1"},"model":{"uri":"models/iris","version":"2.1"},"name":"iris","replicas":3,"restart":{"backoffInitialSeconds":0.5,"backoffMaxSeconds":120,"backoffResetAfterSeconds":600,"policy":"OnFailure"},"rollout":{"autoRollback":false,"minHealthySeconds":7,"progressDeadlineSeconds":300,"strategy":"Recreate"},"runtime":"python-kserve","suspend":false,"workingDir":"{{revision.dir}}/app"}"#

    static func golden() throws -> [String: ResolvedDeployment] {
        let set = ManifestSet.load(files: [ManifestFile(path: "golden.yaml", contents: Data(goldenManifests.utf8))])
        #expect(set.isValid, "\(set.diagnostics)")
        return Dictionary(uniqueKeysWithValues: set.deployments.map { ($0.name, $0) })
    }

    static func withContent(_ spec: ResolvedDeployment, _ id: String) -> ResolvedDeployment {
        var copy = spec
        copy.model?.contentID = id
        return copy
    }

    @Test func versionOneIsTheLegacyHashByteForByte() throws {
        let specs = try Self.golden()
        for (name, legacy) in Self.legacy {
            let spec = try #require(specs[name])
            // With a content id filled in, as the controller resolves it: version 1 leaves it out.
            let resolved = Self.withContent(spec, "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
            #expect(resolved.specHash(version: 1) == legacy.spec, "\(name)")
            #expect(resolved.templateHash(version: 1) == legacy.template, "\(name)")
        }
        let iris = Self.withContent(try #require(specs["iris"]), "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
        #expect(String(decoding: iris.canonicalJSON(version: 1), as: UTF8.self) == Self.legacyIrisJSON)
    }

    @Test func contentIdentityIsPartOfVersionTwoOnly() throws {
        let iris = try #require(try Self.golden()["iris"])
        let a = Self.withContent(iris, "1111111111111111111111111111111111111111")
        let b = Self.withContent(iris, "2222222222222222222222222222222222222222")
        #expect(a.specHash != b.specHash)
        #expect(a.templateHash != b.templateHash, "new model content needs new processes")
        #expect(a.specHash(version: 1) == b.specHash(version: 1))
        #expect(ResolvedDeployment.specHashVersion == 2)
        #expect(a.specHash == a.specHash(version: ResolvedDeployment.specHashVersion))
    }

    @Test func aFieldAddedLaterIsLeftOutWhileItHoldsItsDefault() throws {
        // A spec without a content id (no model, or read from a directory on disk) hashes
        // the same at every version: version 2 added nothing it holds.
        for (name, spec) in try Self.golden() {
            #expect(spec.model?.contentID == nil)
            #expect(spec.specHash == Self.legacy[name]?.spec, "\(name)")
            #expect(spec.templateHash == Self.legacy[name]?.template, "\(name)")
            #expect(!String(decoding: spec.canonicalJSON(), as: UTF8.self).contains("contentID"))
        }
        // A version the controller does not know yet (stored by a newer one) reads as the current one.
        let iris = Self.withContent(try #require(try Self.golden()["iris"]), "1111111111111111111111111111111111111111")
        #expect(iris.specHash(version: 99) == iris.specHash)
        #expect(iris.specHash(version: 0) == iris.specHash(version: 1))
    }

    @Test func aSpecStoredBeforeContentIdentityStillDecodes() throws {
        let stored = try JSONDecoder().decode(ResolvedDeployment.self, from: Data(Self.legacyIrisJSON.utf8))
        #expect(stored.model?.contentID == nil)
        #expect(stored.specHash(version: 1) == Self.legacy["iris"]?.spec)
        #expect(stored == (try #require(try Self.golden()["iris"])))

        let current = Self.withContent(stored, "1111111111111111111111111111111111111111")
        let roundTripped = try JSONDecoder().decode(ResolvedDeployment.self, from: current.canonicalJSON())
        #expect(roundTripped == current)
        #expect(roundTripped.specHash == current.specHash)
    }

    @Test func writingADefaultOutGivesTheSameHashAsLeavingItOut() throws {
        func spec(_ extra: String) throws -> ResolvedDeployment {
            let yaml = """
                apiVersion: mooring.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: iris}
                spec:
                  command: ["python3", "server.py", "--port", "{{port}}"]\(extra)
                """
            let set = ManifestSet.load(files: [ManifestFile(path: "iris.yaml", contents: Data(yaml.utf8))])
            return try #require(set.deployments.first, "\(set.diagnostics)")
        }
        let bare = try spec("")
        let explicit = try spec("""

              suspend: false
              replicas: 1
              workingDir: "{{revision.dir}}"
              rollout: {strategy: Surge, autoRollback: true}
              restart: {policy: Always, backoff: {initialSeconds: 1}}
              stop: {gracePeriodSeconds: 30}
            """)
        #expect(bare.specHash == explicit.specHash)
        #expect(bare.templateHash == explicit.templateHash)
        #expect(try spec("\n  replicas: 2").specHash != bare.specHash)
    }
}
