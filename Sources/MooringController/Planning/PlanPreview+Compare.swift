import Foundation
import Logging
import MooringGit
import MooringManifests

extension PlanPreview {
    /// What `revision` changes compared with `base` (a pull request's branch against its
    /// target): the same validation and planner as the controller, with `base`'s
    /// deployments standing for what runs. Reads no host state: the state directory of
    /// `configuration` is used only to mirror a remote repository.
    ///
    /// Throws when either revision cannot be resolved or `base`'s manifests cannot be read;
    /// invalid manifests at `revision` come back as diagnostics.
    public static func compare(configuration: ControllerConfiguration, revision: String, against base: String,
                               logger: Logger) async throws -> PlanPreview {
        let source = try configuration.openSource(logger: logger)
        let commit = try await resolve(revision, in: source)
        let baseCommit = try await resolve(base, in: source)
        let path = configuration.manifestsPath
        _ = try source.treeID(at: commit.id, path: path)
        let set = try source.manifestSet(at: commit.id, path: path)
        guard set.isValid else {
            return PlanPreview(commit: commit, diagnostics: set.diagnostics, steps: [], base: baseCommit)
        }
        var observed: [ObservedDeployment] = []
        // A base without the manifests folder deploys nothing: everything is created.
        let baseHasManifests: Bool
        do {
            _ = try source.treeID(at: baseCommit.id, path: path)
            baseHasManifests = true
        } catch let error as GitError where error.code == .pathNotFound {
            baseHasManifests = false
        }
        if baseHasManifests {
            let baseSet = try source.manifestSet(at: baseCommit.id, path: path)
            guard baseSet.isValid else {
                let first = baseSet.diagnostics.first { $0.severity == .error }?.description ?? "invalid manifests"
                throw ControllerError(.configuration, "the base \(base) (\(baseCommit.id.short)) has invalid manifests, so there is nothing sound to compare against: \(first)")
            }
            observed = baseSet.deployments.map { ObservedDeployment(name: $0.name, applied: $0) }
        }
        return PlanPreview(commit: commit, diagnostics: set.diagnostics,
                           steps: Planner.plan(desired: set.deployments, observed: observed), base: baseCommit)
    }

    /// `revision` as Git reads it, else `origin/<revision>`: in a fresh clone (a CI
    /// checkout) a pull request's branch exists only as a remote-tracking branch.
    static func resolve(_ revision: String, in source: GitSource) async throws -> CommitInfo {
        do {
            return try await source.resolve(revision)
        } catch let error as GitError where error.code == .refNotFound && !revision.hasPrefix("origin/") {
            do {
                return try await source.resolve("origin/\(revision)")
            } catch {
                throw error
            }
        }
    }
}
