import Foundation
import Logging
import MooringGit
import MooringManifests
import MooringStore
import MooringSupervisor

/// The parts every step of the controller shares: the store, the supervisor, the Git
/// source, where state lives and how to render a replica. All `Sendable`, so rollouts
/// run as independent tasks.
struct ControllerContext: Sendable {
    let configuration: ControllerConfiguration
    let layout: StateLayout
    let store: StateStore
    let supervisor: Supervisor
    let source: GitSource
    let renderer: ReplicaRenderer
    let logger: Logger

    /// Exports `revision` to `<state>/revisions/<sha>/` (idempotent).
    func export(_ revision: String) throws -> URL {
        guard let id = ObjectID(hex: revision) else {
            throw ControllerError(.configuration, "`\(revision)` is not a commit id")
        }
        return try source.export(commit: id, into: layout.revisions)
    }

    /// Runs a write to the state store. A failure (a full disk, a damaged file) is logged
    /// with what was being recorded and what to check; the caller carries on with what it
    /// knows, and the next reconcile writes the state again.
    @discardableResult
    func persist<T>(_ what: @autoclosure () -> String, _ body: (StateStore) throws -> T) -> T? {
        do {
            return try body(store)
        } catch {
            logger.error("cannot record \(what()) in \(layout.database.path): \(error); check free disk space and the file's permissions — the next reconcile writes it again")
            return nil
        }
    }

    /// Writes an event; a failure to record one is logged, never fatal.
    func event(_ type: EventType, _ reason: String, _ message: String, deployment: String? = nil) {
        if type == .warning {
            logger.warning("\(message)", metadata: deployment.map { ["deployment": "\($0)"] } ?? [:])
        } else {
            logger.info("\(message)", metadata: deployment.map { ["deployment": "\($0)"] } ?? [:])
        }
        do {
            try store.appendEvent(type, reason: reason, message: message, deployment: deployment)
        } catch {
            logger.error("cannot record event \(reason): \(error)")
        }
    }
}

extension ResolvedDeployment {
    /// The canonical JSON as text, as stored in `desiredSpec` / `appliedSpec`.
    var storedJSON: String { String(decoding: canonicalJSON(), as: UTF8.self) }

    /// Decodes a spec stored by `storedJSON`.
    static func fromStored(_ text: String?) -> ResolvedDeployment? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(ResolvedDeployment.self, from: Data(text.utf8))
    }
}

/// The 7-character form of a commit id, for messages.
func short(_ revision: String?) -> String {
    guard let revision else { return "-" }
    return String(revision.prefix(7))
}
