/// `spec.rollout.canary` and `spec.rollout.analysis`: traffic steps and the thresholds
/// they are judged by, decoded with positions; the checks that need the rest of the spec
/// (a stable endpoint speaking HTTP, the Surge strategy) run once the spec is decoded.
extension DocumentDecoder {
    static let canaryKeys = ["steps"]
    static let canaryStepKeys = ["weight", "pauseSeconds"]
    static let analysisKeys = ["maxErrorRatio", "maxResponseTimeMillis", "minRequests"]

    func decodeCanary(_ rollout: MappingReader) -> CanaryFragment? {
        guard let reader = rollout.mapping("canary", known: Self.canaryKeys) else { return nil }
        let field = "spec.rollout.canary.steps"
        guard let list = reader.node("steps") else {
            reader.missing("steps", hint: "list the traffic steps, such as `steps: [{weight: 20, pauseSeconds: 60}]` (100 % follows the last step)")
            return nil
        }
        guard case let .sequence(sequence, _) = list else {
            context.error(list, field: field, "expected a list of steps such as `[{weight: 20, pauseSeconds: 60}]`, got \(describeType(list))")
            return nil
        }
        if sequence.isEmpty {
            context.error(list, field: field, "the list is empty; give at least one step such as `{weight: 20, pauseSeconds: 60}`, or remove spec.rollout.canary")
            return nil
        }
        if sequence.count > ManifestDefaults.canaryMaxSteps {
            context.error(list, field: field, "\(sequence.count) steps is too many; give at most \(ManifestDefaults.canaryMaxSteps)")
        }
        var steps: [CanaryStep] = []
        var ok = true
        for (index, node) in sequence.prefix(ManifestDefaults.canaryMaxSteps).enumerated() {
            let path = "\(field)[\(index)]"
            guard let step = MappingReader(node, path: path, known: Self.canaryStepKeys, context: context) else {
                ok = false
                continue
            }
            guard step.has("weight") else {
                step.missing("weight", hint: "give the new version's share of requests in percent, from 1 to 99 (100 follows the last step)")
                ok = false
                continue
            }
            guard let weight = step.int("weight", in: ManifestDefaults.canaryWeightRange, unit: "percent") else {
                ok = false
                continue
            }
            if let previous = steps.last, weight <= previous.weight {
                context.error(at: step.position("weight"), field: "\(path).weight",
                              "weight \(weight) does not grow from the previous step's \(previous.weight); give each step a larger weight than the one before")
                ok = false
            }
            let pause = step.int("pauseSeconds", in: ManifestDefaults.canaryPauseRange, unit: "seconds")
            if step.has("pauseSeconds"), pause == nil { ok = false }
            steps.append(CanaryStep(weight: weight, pauseSeconds: pause ?? ManifestDefaults.canaryPauseSeconds))
        }
        return ok ? CanaryFragment(steps: steps, position: rollout.position("canary")) : nil
    }

    func decodeAnalysis(_ rollout: MappingReader) -> AnalysisFragment? {
        guard let reader = rollout.mapping("analysis", known: Self.analysisKeys) else { return nil }
        var analysis = AnalysisFragment(position: rollout.position("analysis"))
        analysis.maxErrorRatio = reader.double("maxErrorRatio", in: 0...1)
        analysis.maxResponseTimeMillis = reader.int("maxResponseTimeMillis", in: ManifestDefaults.canaryResponseTimeRange, unit: "milliseconds")
        analysis.minRequests = reader.int("minRequests", in: ManifestDefaults.canaryMinRequestsRange)
        return analysis
    }

    /// A canary splits traffic at the stable endpoint and reads HTTP status codes there:
    /// it needs `spec.endpoint` with `protocol: http`, and new replicas that run beside
    /// the old ones (`strategy: Surge`). `analysis` judges canary steps only.
    func checkCanary(_ deployment: ModelDeployment) {
        let rollout = deployment.rollout
        if let analysis = rollout.analysis, rollout.canary == nil {
            context.error(at: analysis.position, field: "spec.rollout.analysis",
                          "analysis judges canary steps, and there are none; add spec.rollout.canary.steps or remove spec.rollout.analysis")
        }
        guard let canary = rollout.canary else { return }
        if deployment.endpoint == nil {
            context.error(at: canary.position, field: "spec.rollout.canary",
                          "canary steps split traffic at the stable endpoint, and there is none; add spec.endpoint (such as `endpoint: {port: 8080}`) or remove spec.rollout.canary")
        } else if deployment.endpoint?.protocol == .tcp {
            context.error(at: canary.position, field: "spec.rollout.canary",
                          "canary analysis reads HTTP status codes, which a `protocol: tcp` endpoint does not see; use `protocol: http` or remove spec.rollout.canary")
        }
        if rollout.strategy == .recreate {
            context.error(at: rollout.strategyPosition ?? canary.position, field: "spec.rollout.strategy",
                          "canary steps need the old replicas serving beside the new ones, which Recreate stops first; use `strategy: Surge` or remove spec.rollout.canary")
        }
    }
}
