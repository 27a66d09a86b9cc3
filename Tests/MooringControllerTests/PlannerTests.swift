import Foundation
import MooringController
import MooringManifests
import Testing

/// The planner: desired × observed → ordered steps with reasons.
struct PlannerTests {
    static func spec(_ name: String, version: String = "1", replicas: Int = 1, env: [String: String] = [:],
                     suspend: Bool = false, minHealthy: Int = 10) throws -> ResolvedDeployment {
        var envBlock = ""
        if !env.isEmpty {
            envBlock = "\n  env: {" + env.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ") + "}"
        }
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: \(name)}
            spec:
              model: {uri: models/\(name)-v\(version).json, version: "\(version)"}
              command: ["python3", "server.py", "--model", "{{model.path}}", "--port", "{{port}}"]
              replicas: \(replicas)
              suspend: \(suspend)
              rollout: {minHealthySeconds: \(minHealthy)}\(envBlock)
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "\(name).yaml", contents: Data(yaml.utf8))])
        return try #require(set.deployments.first, "\(set.diagnostics)")
    }

    @Test func emptyObservedStateCreatesEverything() throws {
        let plan = Planner.plan(desired: [try Self.spec("b"), try Self.spec("a")], observed: [])
        #expect(plan.map(\.name) == ["a", "b"])
        #expect(plan.map(\.action) == [.create, .create])
    }

    @Test func unchangedSpecIsANoOp() throws {
        let a = try Self.spec("a")
        let plan = Planner.plan(desired: [a], observed: [ObservedDeployment(name: "a", applied: a)])
        #expect(plan.map(\.action) == [.noop])
        #expect(!plan[0].action.changesHost)
    }

    @Test func newModelVersionIsAnUpdateNamingTheChangedFields() throws {
        let old = try Self.spec("iris", version: "1"), new = try Self.spec("iris", version: "2")
        let plan = Planner.plan(desired: [new], observed: [ObservedDeployment(name: "iris", applied: old)])
        #expect(plan.map(\.action) == [.update(changes: [
            FieldChange(field: "model.uri", old: "models/iris-v1.json", new: "models/iris-v2.json"),
            FieldChange(field: "model.version", old: "1", new: "2"),
        ])])
    }

    @Test func addedEnvironmentVariableIsReportedAsNewField() throws {
        let old = try Self.spec("iris"), new = try Self.spec("iris", env: ["LOG_LEVEL": "debug"])
        let plan = Planner.plan(desired: [new], observed: [ObservedDeployment(name: "iris", applied: old)])
        #expect(plan.first?.action == .update(changes: [FieldChange(field: "env.LOG_LEVEL", old: nil, new: "debug")]))
    }

    @Test func replicaCountAloneIsAScaleNotARollout() throws {
        let old = try Self.spec("iris", replicas: 1), new = try Self.spec("iris", replicas: 3)
        let plan = Planner.plan(desired: [new], observed: [ObservedDeployment(name: "iris", applied: old)])
        #expect(plan.first?.action == .scale(from: 1, to: 3, changes: [FieldChange(field: "replicas", old: "1", new: "3")]))
    }

    @Test func removedDeploymentIsDeletedFirst() throws {
        let a = try Self.spec("a"), z = try Self.spec("z")
        let plan = Planner.plan(desired: [try Self.spec("a", version: "2"), try Self.spec("m")],
                                observed: [ObservedDeployment(name: "a", applied: a), ObservedDeployment(name: "z", applied: z)])
        #expect(plan.map(\.name) == ["z", "a", "m"])
        #expect(plan.map(\.action.verb) == ["delete", "update", "create"])
    }

    @Test func quarantinedSpecIsNotRetriedButAChangedOneIs() throws {
        let good = try Self.spec("iris", version: "1"), bad = try Self.spec("iris", version: "2")
        let observed = ObservedDeployment(name: "iris", applied: good, quarantinedSpecHash: bad.specHash,
                                          quarantineReason: "not healthy within 120s")
        #expect(Planner.plan(desired: [bad], observed: [observed]).first?.action == .quarantined(reason: "not healthy within 120s"))
        let fixed = try Self.spec("iris", version: "3")
        #expect(Planner.plan(desired: [fixed], observed: [observed]).first?.action.verb == "update")
        // Reverting to the applied spec is a no-op, quarantine or not.
        #expect(Planner.plan(desired: [good], observed: [observed]).first?.action == .noop)
    }

    @Test func suspendedDeploymentIsLeftAlone() throws {
        let plan = Planner.plan(desired: [try Self.spec("iris", suspend: true)],
                                observed: [ObservedDeployment(name: "iris", applied: try Self.spec("iris"))])
        #expect(plan.first?.action == .suspended)
    }

    @Test func planIsDeterministic() throws {
        let desired = try (0..<20).map { try Self.spec("m\($0)", version: String($0 % 3)) }
        let observed = try (0..<20).filter { $0 % 2 == 0 }.map { ObservedDeployment(name: "m\($0)", applied: try Self.spec("m\($0)")) }
        #expect(Planner.plan(desired: desired, observed: observed) == Planner.plan(desired: desired.reversed(), observed: observed.reversed()))
    }
}
