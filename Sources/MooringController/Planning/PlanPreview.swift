import Foundation
import Logging
import MooringGit
import MooringManifests
import MooringStore

/// `mooring plan`: what the controller would do if `revision` were applied to what runs
/// now, computed with the same validation and planner as the controller.
public struct PlanPreview: Sendable {
    /// The commit the plan is for.
    public var commit: CommitInfo
    /// Problems that would reject the commit (empty when valid).
    public var diagnostics: [Diagnostic]
    /// The steps, in order (empty when the commit is rejected).
    public var steps: [PlanStep]
    /// The commit compared against (``compare(configuration:revision:against:logger:)``);
    /// nil when the plan is against what runs on this host.
    public var base: CommitInfo?

    /// Whether applying it changes anything.
    public var hasChanges: Bool { steps.contains { $0.action.changesHost } }

    /// Builds the plan for `revision` (a branch, tag or SHA; `nil` is the tracked ref's tip).
    public static func make(configuration: ControllerConfiguration, revision: String?, logger: Logger) async throws -> PlanPreview {
        let layout = StateLayout(root: configuration.stateDirectory)
        let source = try configuration.openSource(logger: logger)
        let commit: CommitInfo
        if let revision {
            commit = try await source.resolve(revision)
        } else {
            commit = try await source.update(previous: nil).commit
        }
        _ = try source.treeID(at: commit.id, path: configuration.manifestsPath)
        let set = try source.manifestSet(at: commit.id, path: configuration.manifestsPath, configuration: configuration)
        guard set.isValid else {
            return PlanPreview(commit: commit, diagnostics: set.diagnostics, steps: [])
        }
        var observed: [ObservedDeployment] = []
        if FileManager.default.fileExists(atPath: layout.database.path) {
            let store = try StateStore(readOnlyPath: layout.database)
            observed = try store.deployments().map { try ObservedDeployment($0) }
        }
        return PlanPreview(commit: commit, diagnostics: set.diagnostics,
                           steps: Planner.plan(desired: set.deployments, observed: observed))
    }
}
