import Foundation
import MooringManifests
import Testing

/// `spec.rollout.canary` and `spec.rollout.analysis`: decoding, defaults, positioned
/// diagnostics with their fix, and their place in the spec identity.
@Suite struct CanaryManifestTests {
    static func load(_ spec: String) -> ManifestSet {
        EndpointTests.load([("m/iris.yaml", EndpointTests.deployment("iris", spec))])
    }

    static let endpoint = "  endpoint: {port: 8080}\n"

    @Test func stepsAndDefaultsResolve() throws {
        let set = Self.load(Self.endpoint + "  rollout:\n    canary: {steps: [{weight: 20, pauseSeconds: 5}, {weight: 50}]}\n")
        #expect(set.isValid, "\(set.diagnostics)")
        let canary = try #require(set.deployments.first?.rollout.canary)
        #expect(canary.steps == [CanaryStep(weight: 20, pauseSeconds: 5), CanaryStep(weight: 50, pauseSeconds: ManifestDefaults.canaryPauseSeconds)])
        #expect(canary.analysis == CanaryAnalysis(maxErrorRatio: 0.05, maxResponseTimeMillis: nil, minRequests: 20))

        let tuned = Self.load(Self.endpoint + "  rollout:\n    canary: {steps: [{weight: 10, pauseSeconds: 0}]}\n    analysis: {maxErrorRatio: 0.01, maxResponseTimeMillis: 250, minRequests: 100}\n")
        #expect(tuned.isValid, "\(tuned.diagnostics)")
        #expect(tuned.deployments.first?.rollout.canary?.analysis == CanaryAnalysis(maxErrorRatio: 0.01, maxResponseTimeMillis: 250, minRequests: 100))
    }

    @Test(arguments: [
        ("  rollout:\n    canary: {steps: [{weight: 20}]}\n", 7, "spec.rollout.canary", "add spec.endpoint"),
        ("  endpoint: {port: 8080, protocol: tcp}\n  rollout:\n    canary: {steps: [{weight: 20}]}\n", 8, "spec.rollout.canary", "use `protocol: http`"),
        (endpoint + "  rollout:\n    strategy: Recreate\n    canary: {steps: [{weight: 20}]}\n", 8, "spec.rollout.strategy", "use `strategy: Surge`"),
        (endpoint + "  rollout:\n    canary: {steps: [{weight: 20}, {weight: 20}]}\n", 8, "spec.rollout.canary.steps[1].weight", "larger weight than the one before"),
        (endpoint + "  rollout:\n    canary: {steps: [{weight: 100}]}\n", 8, "spec.rollout.canary.steps[0].weight", "from 1 to 99"),
        (endpoint + "  rollout:\n    canary: {steps: [{pauseSeconds: 5}]}\n", 8, "spec.rollout.canary.steps[0].weight", "missing required field `weight`"),
        (endpoint + "  rollout:\n    canary: {steps: []}\n", 8, "spec.rollout.canary.steps", "give at least one step"),
        (endpoint + "  rollout:\n    canary: {steps: [{weight: 20, pauseSeconds: -1}]}\n", 8, "spec.rollout.canary.steps[0].pauseSeconds", "out of range"),
        (endpoint + "  rollout:\n    canary: {stpes: []}\n", 8, "spec.rollout.canary.stpes", "did you mean `steps`"),
        (endpoint + "  rollout:\n    analysis: {maxErrorRatio: 0.1}\n", 8, "spec.rollout.analysis", "add spec.rollout.canary.steps"),
        (endpoint + "  rollout:\n    canary: {steps: [{weight: 20}]}\n    analysis: {maxErrorRatio: 2}\n", 9, "spec.rollout.analysis.maxErrorRatio", "out of range"),
    ])
    func badCanariesAreRejectedWithPositions(spec: String, line: Int, field: String, message: String) throws {
        let set = Self.load(spec)
        #expect(!set.isValid)
        let error = try #require(set.diagnostics.first { $0.field == field }, "\(set.diagnostics)")
        #expect(error.position.file == "m/iris.yaml")
        #expect(error.position.line == line, "\(error)")
        #expect(error.position.column > 1, "\(error)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func canaryChangesTheSpecNotTheTemplate() throws {
        let without = Self.load(Self.endpoint).deployments[0]
        let with = Self.load(Self.endpoint + "  rollout: {canary: {steps: [{weight: 20}]}}\n").deployments[0]
        let stricter = Self.load(Self.endpoint + "  rollout: {canary: {steps: [{weight: 20}]}, analysis: {maxErrorRatio: 0.01}}\n").deployments[0]
        #expect(with.specHash != without.specHash)
        #expect(stricter.specHash != with.specHash)
        #expect(with.templateHash == without.templateHash)
        #expect(stricter.templateHash == without.templateHash)
        // No canary: the canonical JSON has no `canary` key, so existing hashes stay
        // (no new spec-hash version is needed).
        #expect(!String(decoding: without.canonicalJSON(), as: UTF8.self).contains("canary"))
        #expect(without.specHash(version: 1) == without.canonicalized(version: 1).specHash(version: 1))
    }
}
