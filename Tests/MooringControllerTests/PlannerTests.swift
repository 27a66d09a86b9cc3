import Foundation
import Logging
@testable import MooringController
import MooringGit
import MooringManifests
import MooringTesting
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

/// Model identity through the planner, with specs read from a real Git repository as the
/// controller reads them: a model changed in place rolls, reformatted YAML does not, and
/// hashes stored by an older controller (spec-hash version 1) roll nothing.
struct PlannerSpecIdentityTests {
    /// A repository with the model directory `models/iris` and a manifest using it.
    struct Repository {
        let dir: TemporaryDirectory
        let git: GitFixture
        let source: GitSource

        init() throws {
            dir = try TemporaryDirectory()
            git = try GitFixture(at: dir.appending("repo"))
            try git.write("models/iris/weights.bin", "weights v1\n")
            try git.write("models/iris/config.json", #"{"classes": 3}"# + "\n")
            try git.write("manifests/iris.yaml", Self.blockManifest)
            source = try GitSource(
                configuration: GitSourceConfiguration(
                    location: .localPath(git.directory.path), reference: .defaultBranch,
                    stateDirectory: dir.appending("state"), credentials: .none, stallTimeout: .seconds(60)),
                logger: Logger(label: "mooring.test.planner"))
        }

        static let blockManifest = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata:
              name: iris
            spec:
              model:
                uri: models/iris
                version: "1"
              command: ["python3", "server.py", "--model", "{{model.path}}", "--port", "{{port}}"]
              env:
                B: "2"
                A: "1"
            """

        /// The deployment `iris` at the commit `sha`, resolved as the controller does.
        func spec(at sha: String) throws -> ResolvedDeployment {
            let set = try source.manifestSet(at: try #require(ObjectID(hex: sha)), path: "manifests")
            #expect(set.isValid, "\(set.diagnostics)")
            return try #require(set.deployments.first)
        }
    }

    @Test func aFileChangedInsideAModelDirectoryIsAnUpdateOfTheModelContent() throws {
        let repo = try Repository()
        defer { repo.dir.remove() }
        let first = try repo.git.commitAll("iris v1")
        try repo.git.write("models/iris/config.json", #"{"classes": 4}"# + "\n")
        let second = try repo.git.commitAll("retrain iris in place")

        let old = try repo.spec(at: first), new = try repo.spec(at: second)
        let oldTree = try repo.git.revParse("\(first):models/iris"), newTree = try repo.git.revParse("\(second):models/iris")
        #expect(old.model?.contentID == oldTree)
        #expect(new.model?.contentID == newTree)
        #expect(old.model?.uri == new.model?.uri)
        #expect(old.specHash != new.specHash)

        let plan = Planner.plan(desired: [new], observed: [ObservedDeployment(name: "iris", applied: old)])
        guard case let .update(changes)? = plan.first?.action else {
            Issue.record("expected an update, got \(plan)")
            return
        }
        #expect(changes.map(\.field) == ["model.content"])
        let change = try #require(changes.first)
        #expect(change.old.map { oldTree.hasPrefix($0) && $0.count >= 7 } == true)
        #expect(change.new.map { newTree.hasPrefix($0) && $0.count >= 7 } == true)
        #expect(change.description.hasPrefix("model.content: \(oldTree.prefix(7))"))
    }

    @Test func reformattedYAMLIsTheSameSpec() throws {
        let repo = try Repository()
        defer { repo.dir.remove() }
        let first = try repo.git.commitAll("iris")
        try repo.git.write("manifests/iris.yaml", """
            # iris, written differently: flow style, keys reordered, comments
            kind: ModelDeployment
            spec: {env: {A: '1', B: "2"},   # same variables
                   command: [python3, server.py, --model, "{{model.path}}", --port, "{{port}}"],
                   model: {version: '1', uri: "models/iris"}}
            metadata: {name: iris}
            apiVersion: "mooring.dev/v1alpha1"
            """)
        let second = try repo.git.commitAll("reformat iris")
        let old = try repo.spec(at: first), new = try repo.spec(at: second)
        #expect(old.specHash == new.specHash)
        #expect(Planner.plan(desired: [new], observed: [ObservedDeployment(name: "iris", applied: old)]).first?.action == .noop)
    }

    @Test func aModelReachedThroughASymlinkIsIdentifiedByItsTarget() throws {
        let repo = try Repository()
        defer { repo.dir.remove() }
        try repo.git.write("manifests/iris.yaml", Repository.blockManifest.replacingOccurrences(of: "uri: models/iris", with: "uri: models/current"))
        try FileManager.default.createSymbolicLink(atPath: repo.git.directory.appendingPathComponent("models/current").path,
                                                   withDestinationPath: "iris")
        let first = try repo.git.commitAll("iris through a symlink")
        try repo.git.write("models/iris/weights.bin", "weights v2\n")
        let second = try repo.git.commitAll("new weights")
        let old = try repo.spec(at: first), new = try repo.spec(at: second)
        #expect(old.model?.contentID == (try repo.git.revParse("\(first):models/iris")))
        #expect(old.specHash != new.specHash)
    }

    /// What a controller before spec-hash version 2 stored: the spec without `contentID`
    /// and its version-1 hash.
    static func storedByVersionOne(_ spec: ResolvedDeployment) throws -> (spec: ResolvedDeployment, hash: String) {
        let stored = try JSONDecoder().decode(ResolvedDeployment.self, from: spec.canonicalJSON(version: 1))
        #expect(stored.model?.contentID == nil)
        return (stored, spec.specHash(version: 1))
    }

    @Test func anUpgradeFromVersionOneStateRollsNothing() throws {
        let repo = try Repository()
        defer { repo.dir.remove() }
        let spec = try repo.spec(at: try repo.git.commitAll("iris"))
        let stored = try Self.storedByVersionOne(spec)

        let observed = ObservedDeployment(name: "iris", applied: stored.spec, appliedSpecHash: stored.hash, appliedSpecHashVersion: 1)
        #expect(Planner.plan(desired: [spec], observed: [observed]).first?.action == .noop)
        // Read as a current-version hash, the same state would roll the deployment.
        let misread = ObservedDeployment(name: "iris", applied: stored.spec, appliedSpecHash: stored.hash)
        #expect(Planner.plan(desired: [spec], observed: [misread]).first?.action.verb == "update")
    }

    @Test func changesAgainstVersionOneStateAreJudgedAtVersionOne() throws {
        let repo = try Repository()
        defer { repo.dir.remove() }
        let spec = try repo.spec(at: try repo.git.commitAll("iris"))
        let stored = try Self.storedByVersionOne(spec)
        let observed = ObservedDeployment(name: "iris", applied: stored.spec, appliedSpecHash: stored.hash, appliedSpecHashVersion: 1)

        var scaled = spec
        scaled.replicas = 3
        #expect(Planner.plan(desired: [scaled], observed: [observed]).first?.action
            == .scale(from: 1, to: 3, changes: [FieldChange(field: "replicas", old: "1", new: "3")]))

        var newFlag = spec
        newFlag.command.append("--verbose")
        guard case let .update(changes)? = Planner.plan(desired: [newFlag], observed: [observed]).first?.action else {
            Issue.record("expected an update")
            return
        }
        #expect(changes.map(\.field) == ["command"], "no content change can be told from version-1 state")
    }

    @Test func aQuarantineStoredAtVersionOneStillHolds() throws {
        let repo = try Repository()
        defer { repo.dir.remove() }
        let good = try repo.spec(at: try repo.git.commitAll("iris"))
        try repo.git.write("manifests/iris.yaml", Repository.blockManifest + "\n  replicas: 2\n  health: {http: {path: /broken}}")
        let bad = try repo.spec(at: try repo.git.commitAll("break iris"))
        let observed = ObservedDeployment(
            name: "iris", applied: good, quarantinedSpecHash: bad.specHash(version: 1), quarantinedSpecHashVersion: 1,
            quarantineReason: "not healthy within 600s")
        #expect(Planner.plan(desired: [bad], observed: [observed]).first?.action == .quarantined(reason: "not healthy within 600s"))
        let atVersionTwo = ObservedDeployment(name: "iris", applied: good, quarantinedSpecHash: bad.specHash(version: 1),
                                              quarantineReason: "not healthy within 600s")
        #expect(Planner.plan(desired: [bad], observed: [atVersionTwo]).first?.action.verb == "update")
    }
}
