import Foundation
@testable import MooringController
import MooringManifests
import MooringSupervisor
import Testing

/// What a replica process is given: rendered argv, template values as environment,
/// paths inside the read-only revision export, probes on its port.
struct ReplicaRendererTests {
    func spec(_ extra: String = "") throws -> ResolvedDeployment {
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              model: {uri: models/iris-v2.json, version: "2"}
              command: ["python3", "{{revision.dir}}/server.py", "--model", "{{model.path}}", "--port={{port}}"]
              env: {REPLICA_TAG: "{{name}}-{{replica}}", PLAIN: "x"}
              health: {http: {path: /v2/health/ready}}
            \(extra)
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))])
        return try #require(set.deployments.first, "\(set.diagnostics)")
    }

    @Test func rendersTemplatesPathsEnvironmentAndProbe() throws {
        let layout = StateLayout(root: URL(fileURLWithPath: "/srv/state"))
        let renderer = ReplicaRenderer(layout: layout, environment: ["PATH": "/usr/bin", "SECRET_TOKEN": "s3cr3t"])
        let sha = String(repeating: "a", count: 40)
        let replica = renderer.render(try spec(), replica: 1, port: 20123, revision: sha)
        let dir = "/srv/state/revisions/\(sha)"
        #expect(replica.arguments == ["python3", "\(dir)/server.py", "--model", "\(dir)/models/iris-v2.json", "--port=20123"])
        #expect(replica.workingDirectory == dir)
        #expect(replica.port == 20123)
        #expect(replica.health == .http(path: "/v2/health/ready", port: 20123, scheme: "http"))
        #expect(replica.environment["PORT"] == "20123")
        #expect(replica.environment["MODEL_PATH"] == "\(dir)/models/iris-v2.json")
        #expect(replica.environment["MODEL_VERSION"] == "2")
        #expect(replica.environment["MOORING_REVISION"] == sha)
        #expect(replica.environment["REPLICA_TAG"] == "iris-1")
        #expect(replica.environment["PLAIN"] == "x")
        #expect(replica.environment["PATH"] == "/usr/bin")
        // The controller's own secrets are not handed to model processes.
        #expect(replica.environment["SECRET_TOKEN"] == nil)
        #expect(!replica.inheritsEnvironment)
        // The marker that lets recovery find orphans.
        #expect(replica.environment[OrphanScanner.markerVariable] == "/srv/state")
        #expect(replica.logFile.path == "/srv/state/logs/iris/1.log")
    }

    @Test func replicasCarryTheMarkersRecoveryFindsThemBy() throws {
        let renderer = ReplicaRenderer(layout: StateLayout(root: URL(fileURLWithPath: "/srv/state")), environment: [:])
        let replica = renderer.render(try spec(""), replica: 2, port: 20002, revision: String(repeating: "a", count: 40),
                                      generation: "g3-1234abcd", specHash: "f00d")
        #expect(replica.environment[OrphanScanner.generationVariable] == "g3-1234abcd")
        #expect(replica.environment[OrphanScanner.specHashVariable] == "f00d")
        #expect(replica.environment["MOORING_REPLICA"] == "2")
        #expect(replica.environment["MOORING_DEPLOYMENT"] == "iris")
        #expect(replica.environment["PORT"] == "20002")
    }

    @Test func relativeWorkingDirectoryIsInsideTheRevision() throws {
        let renderer = ReplicaRenderer(layout: StateLayout(root: URL(fileURLWithPath: "/s")), environment: [:])
        let sha = String(repeating: "b", count: 40)
        let replica = renderer.render(try spec("  workingDir: models"), replica: 0, port: 1, revision: sha)
        #expect(replica.workingDirectory == "/s/revisions/\(sha)/models")
    }
}
