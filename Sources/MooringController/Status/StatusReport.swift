import Foundation
import MooringManifests
import MooringStore

/// What `mooring status` shows, read from the state store — whether or not a controller
/// is running (and it says which). Its JSON form is stable: fields are only ever added.
public struct StatusReport: Codable, Sendable, Equatable {
    /// The source header.
    public struct Source: Codable, Sendable, Equatable {
        public var repo: String
        public var branch: String
        public var path: String
        /// Last fetched commit (full SHA) and its subject.
        public var commit: String?
        public var subject: String?
        public var lastFetch: Date?
        public var nextFetch: Date?
        /// The source's current error: fetch failure, missing path, or a rejected commit
        /// with every diagnostic (`file:line:column: …`, one per line).
        public var error: String?
        /// Whether a controller holds the state directory, and its pid.
        public var controllerRunning: Bool
        public var controllerPid: Int32?
    }

    /// One deployment's row.
    public struct Deployment: Codable, Sendable, Equatable {
        public var name: String
        /// `Synced`, `OutOfSync` or `Unknown`.
        public var sync: String
        /// `Healthy`, `Progressing`, `Degraded`, `Suspended`, `Missing` or `Unknown`.
        public var health: String
        public var readyReplicas: Int
        public var replicas: Int
        /// Revisions, kept apart: what Git wants, what was last attempted, what serves.
        public var desiredRevision: String
        public var attemptedRevision: String?
        public var appliedRevision: String?
        public var modelVersion: String?
        public var endpoint: String?
        public var createdAt: Date
        public var updatedAt: Date
        /// Why it is not green, in words a person can act on.
        public var message: String
    }

    public var source: Source?
    public var deployments: [Deployment]

    /// Every deployment `Synced` and `Healthy` at the last fetched commit, with no source error.
    public var isSettled: Bool {
        guard let source, let commit = source.commit, source.error == nil else { return false }
        return deployments.allSatisfy {
            $0.desiredRevision == commit && $0.sync == "Synced" && ($0.health == "Healthy" || $0.health == "Suspended")
        }
    }

    /// Whether any deployment is `Degraded`.
    public var isDegraded: Bool { deployments.contains { $0.health == "Degraded" } }

    /// Reads the report from `stateDirectory`; throws a clear error if there is no state.
    public static func load(stateDirectory: URL, only name: String? = nil) throws -> StatusReport {
        let layout = StateLayout(root: stateDirectory)
        let store = try StateStore(readOnlyPath: layout.database)
        let holder = StateLock.holder(at: layout.lock)
        return try store.read { tx in
            let source = try tx.source().map {
                Source(repo: $0.repo, branch: $0.branch, path: $0.path, commit: $0.lastFetchedCommit,
                       subject: $0.lastFetchedSubject, lastFetch: $0.lastFetchAt,
                       nextFetch: holder == nil ? nil : $0.nextFetchAt, error: $0.lastError,
                       controllerRunning: holder != nil, controllerPid: holder)
            }
            let deployments = try tx.deployments().filter { name == nil || $0.name == name }.map { record in
                let spec = ResolvedDeployment.fromStored(record.appliedSpec) ?? ResolvedDeployment.fromStored(record.desiredSpec)
                return Deployment(
                    name: record.name, sync: record.sync.rawValue, health: record.health.rawValue,
                    readyReplicas: record.readyReplicas, replicas: record.desiredReplicas,
                    desiredRevision: record.desiredRevision, attemptedRevision: record.attemptedRevision,
                    appliedRevision: record.appliedRevision, modelVersion: spec?.model?.version,
                    endpoint: record.endpoint, createdAt: record.createdAt, updatedAt: record.updatedAt,
                    message: record.message)
            }
            return StatusReport(source: source, deployments: deployments)
        }
    }
}
