import Foundation
@testable import MooringController
import MooringManifests
import MooringSupervisor
import Testing

/// A replica's named ports and scratch directory, as the renderer hands them to the supervisor.
struct ReplicaRendererPortsTests {
    @Test func namedPortsAndTheScratchDirectoryReachArgumentsEnvironmentAndProbes() throws {
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              ports: [grpc, metrics]
              command: ["srv", "--http={{port}}", "--grpc={{ports.grpc}}", "--tmp={{scratch.dir}}"]
              env: {METRICS: "{{ports.metrics}}"}
              health: {exec: {command: ["probe", "{{ports.metrics}}"]}}
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))])
        let spec = try #require(set.deployments.first, "\(set.diagnostics)")
        let renderer = ReplicaRenderer(layout: StateLayout(root: URL(fileURLWithPath: "/srv/state")), environment: [:])
        let replica = renderer.render(spec, replica: 1, port: 20001, ports: ["grpc": 20002, "metrics": 20003],
                                      revision: String(repeating: "a", count: 40), generation: "g2-ab", specHash: "f00d")
        let scratch = "/srv/state/scratch/iris/g2-ab/1"
        #expect(replica.arguments == ["srv", "--http=20001", "--grpc=20002", "--tmp=\(scratch)"])
        #expect(replica.environment["METRICS"] == "20003")
        #expect(replica.environment["PORT_GRPC"] == "20002")
        #expect(replica.environment["PORT_METRICS"] == "20003")
        #expect(replica.environment["MOORING_SCRATCH_DIR"] == scratch)
        #expect(replica.health == .exec(command: ["probe", "20003"]))
        #expect(replica.namedPorts == ["grpc": 20002, "metrics": 20003])
        #expect(replica.allPorts == [20001, 20002, 20003])
    }
}
