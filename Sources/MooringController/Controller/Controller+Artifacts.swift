import Foundation
import MooringArtifacts
import MooringHTTP
import MooringStatus
import Synchronization

extension Controller {
    /// The model URIs the artifact cache's collector keeps: what every deployment's
    /// desired, applied, in-rollout and previous spec names (a running replica runs one of
    /// these specs; a `git revert` of the last model change returns to the previous one).
    static func artifactURIs(keptFor machines: some Sequence<DeploymentMachine>) -> Set<String> {
        var uris = Set<String>()
        for machine in machines {
            for target in [machine.desired, machine.applied, machine.rollout?.target, machine.previous].compactMap({ $0 }) {
                if let uri = target.spec.model?.uri { uris.insert(uri) }
            }
        }
        return uris
    }

    /// ``artifactURIs(keptFor:)`` of this controller's deployments; nil (keep every
    /// artifact) while a stored deployment cannot be read — its processes run on, and
    /// which artifact they use is not known.
    func artifactURIsInUse() -> Set<String>? {
        unreadable.isEmpty ? Self.artifactURIs(keptFor: machines.values) : nil
    }

    /// Runs the collector as a work item (after a rollout, and every few minutes), keeping
    /// what the deployments use when it starts, a second after it was asked for. Requests
    /// in that second join it: rollouts finishing together cost one collection.
    func collectArtifacts(_ why: String) {
        guard queuedArtifactCollection == nil else { return }
        queuedArtifactCollection = why
        let context = self.context
        let clock = self.clock
        workContinuation.yield { [weak self] in
            do { try await clock.sleep(for: .seconds(1)) } catch { return }
            guard let (why, inUse) = await self?.startQueuedArtifactCollection() else { return }
            await context.collectArtifacts(keeping: inUse, why: why)
        }
    }

    /// Takes the queued collection off the queue, with what it must keep as of now.
    private func startQueuedArtifactCollection() -> (String, Set<String>?)? {
        guard let why = queuedArtifactCollection else { return nil }
        queuedArtifactCollection = nil
        return (why, artifactURIsInUse())
    }
}

extension ControllerContext {
    /// Runs the artifact cache's collector once, off the cooperative pool, keeping `inUse`
    /// (nil: every artifact; only abandoned partial downloads go). A run already under way
    /// makes this one return at once. What it removed is logged and recorded as an
    /// `ArtifactsCollected` event; what it could not remove or read, as an
    /// `ArtifactCollectionFailed` warning.
    func collectArtifacts(keeping inUse: Set<String>?, why: String) async {
        guard collections.begin() else { return }
        defer { collections.end() }
        let settings = configuration.artifacts
        if inUse == nil, settings.cacheBudgetBytes != nil {
            logger.debug("artifact cache: no artifact is removed while a stored deployment cannot be read")
        }
        let collector = ArtifactCollector(cache: artifacts.cache, budgetBytes: inUse == nil ? nil : settings.cacheBudgetBytes,
                                          partialMaxAge: settings.partialMaxAgeSeconds)
        let outcome = await Blocking.run { collector.collect(keeping: inUse ?? []) }
        if !outcome.summary.isEmpty {
            let budget = settings.cacheBudgetBytes.map { ", budget \(formatBytes($0))" } ?? ""
            await event(.normal, .artifactsCollected, "artifact cache (\(why)\(budget)): \(outcome.summary)")
        }
        if !outcome.problems.isEmpty {
            let shown = outcome.problems.prefix(5).joined(separator: "; ")
            let more = outcome.problems.count > 5 ? "; and \(outcome.problems.count - 5) more" : ""
            await event(.warning, .artifactCollectionFailed, "artifact cache (\(why)): \(shown)\(more); the collector tries again in 5 minutes")
        }
    }
}

/// One collection of the artifact cache at a time.
final class ArtifactCollections: Sendable {
    private let running = Mutex(false)

    /// Whether this caller may collect now (false: another collection is running).
    func begin() -> Bool {
        running.withLock { busy in
            defer { busy = true }
            return !busy
        }
    }

    func end() {
        running.withLock { $0 = false }
    }
}
