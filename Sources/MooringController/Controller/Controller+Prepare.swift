import Foundation
import MooringArtifacts
import MooringHTTP
import MooringManifests
import Synchronization

extension Controller {
    /// The `Preparing` phase's work: export the revision, then fetch and verify a remote
    /// model into the artifact cache (progress and waits through `report`). Returns why it
    /// failed, or nil. Transient download failures are retried inside, with backoff, until
    /// the download deadline; a rollout that stops preparing this revision cancels it.
    static func prepare(_ name: String, revision: String, rollout: RolloutState?, inUse: Set<String>?, context: ControllerContext,
                        report: @escaping @Sendable (String) -> Void) async -> String? {
        do {
            _ = try await context.export(revision)
        } catch {
            return "cannot export revision \(short(revision)): \(error)"
        }
        guard let rollout, let model = rollout.target.spec.model, model.location.isRemote else { return nil }
        let preparations = context.preparations
        if context.configuration.artifacts.cacheBudgetBytes != nil, context.artifacts.cached(model) == nil {
            // Room first: artifacts no deployment uses go, oldest first, while over the budget.
            await context.collectArtifacts(keeping: inUse, why: "before downloading \(redactedURL(model.uri))")
        }
        do {
            let path = try await context.artifacts.fetch(model, deadline: rollout.deadline,
                                                          cancelled: { !preparations.wants(name, revision) }, report: report)
            context.logger.info("model artifact \(model.uri) verified at \(path.path)", metadata: ["deployment": "\(name)"])
            return nil
        } catch {
            return "\(error)"
        }
    }
}

extension ControllerContext {
    /// Where a replica's remote model is in the cache, fetching it if it is not there (a
    /// replica started again after its artifact was collected); nil for a repository path.
    func artifactPath(for model: ResolvedDeployment.Model?) async throws -> String? {
        guard let model, model.location.isRemote else { return nil }
        if let cached = artifacts.cached(model) { return cached.path }
        return try await artifacts.fetch(model, deadline: Date().addingTimeInterval(TimeInterval(model.downloadDeadline))).path
    }
}

/// Which revision each deployment is preparing, updated after every transition, so a
/// download whose rollout was superseded, suspended or removed stops.
final class Preparations: Sendable {
    private let preparing = Mutex<[String: String]>([:])

    func track(_ name: String, _ machine: DeploymentMachine?) {
        let revision = machine?.rollout.flatMap { $0.phase == .preparing ? $0.target.revision : nil }
        preparing.withLock { $0[name] = revision }
    }

    func wants(_ name: String, _ revision: String) -> Bool {
        preparing.withLock { $0[name] == revision }
    }
}
