import Foundation
import Logging
import MooringArtifacts
import MooringGit
import MooringManifests
import MooringStatus
import MooringStore
import MooringSupervisor

/// The parts every step of the controller shares: the store, the replica runner, the Git
/// source, where state lives and how to render a replica. All `Sendable`.
struct ControllerContext: Sendable {
    let configuration: ControllerConfiguration
    let layout: StateLayout
    let store: StateStore
    let runner: any ReplicaRunner
    let source: GitSource
    let renderer: ReplicaRenderer
    let logger: Logger
    /// Whether the store takes writes, said where a full disk cannot stop it.
    let storeHealth: StoreHealth
    /// Fetches remote model artifacts into `<state>/artifacts`.
    let artifacts: ArtifactFetcher
    /// Which deployments are preparing which revision (a superseded download stops).
    let preparations: Preparations
    /// One artifact collection at a time.
    let collections = ArtifactCollections()
    /// The revisions this controller has exported or verified.
    let exports = VerifiedExports()

    /// Exports `revision` to `<state>/revisions/<sha>/` (idempotent), off the cooperative pool.
    /// The first call for a revision exports it or verifies the existing export (every file's
    /// owner and mode, ``GitSource/export(commit:into:)``); later calls only check that the
    /// directory is still there — every deployment of a commit and every replica start asks
    /// for the same export, and walking it each time was a large part of starting 1,000.
    func export(_ revision: String) async throws -> URL {
        guard let id = ObjectID(hex: revision) else {
            throw ControllerError(.configuration, "`\(revision)` is not a commit id")
        }
        if let known = exports.directory(of: revision) { return known }
        let source = self.source
        let directory = layout.revisions
        let exported = try await Blocking.run { try source.export(commit: id, into: directory) }
        exports.remember(revision, at: exported)
        return exported
    }

    /// Runs a write to the state store. A failure (a full disk, a damaged file) is logged
    /// loudly with what was being recorded and what to check, and returns nil: the caller
    /// decides what happens next (the loop retries what it could not record).
    @discardableResult
    func persist<T: Sendable>(_ what: String, _ body: @escaping @Sendable (StoreTransaction) throws -> T) async -> T? {
        do {
            let result = try await store.write(body)
            storeWritten()
            return result
        } catch {
            storeFailed("cannot record \(what) in \(layout.database.path): \(error); check free disk space and the file's permissions — it is retried")
            return nil
        }
    }

    /// Writes an event (and logs it); a failure to record one is logged, never fatal.
    func event(_ type: EventType, _ reason: EventReason, _ message: String, deployment: String? = nil) async {
        log(type, message, deployment: deployment)
        await persist("event \(reason.rawValue)") { tx in
            _ = try tx.appendEvent(type, reason: reason.rawValue, message: message, deployment: deployment)
        }
    }

    /// A write to the store failed: log it and say it in the health file.
    func storeFailed(_ message: String) {
        logger.error("\(message)")
        if let problem = storeHealth.failed("\(Date()) \(message)") {
            logger.error("cannot record the store's failure either: \(problem)")
        }
    }

    /// A write succeeded: clear the health file if it held a failure.
    func storeWritten() {
        if let problem = storeHealth.succeeded() {
            logger.error("cannot clear \(layout.root.path)/store-health: \(problem)")
        }
    }

    func log(_ type: EventType, _ message: String, deployment: String?) {
        let metadata: Logger.Metadata = deployment.map { ["deployment": "\($0)"] } ?? [:]
        if type == .warning {
            logger.warning("\(message)", metadata: metadata)
        } else {
            logger.info("\(message)", metadata: metadata)
        }
    }
}
