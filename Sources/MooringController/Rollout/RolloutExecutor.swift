import Foundation
import Logging
import MooringManifests
import MooringStore
import MooringSupervisor

/// Carries out one deployment's rollout — Surge, Recreate or a scale — health-gated,
/// with automatic rollback and quarantine. Every process start and stop is journaled as
/// an intent before it happens and completed after, so a controller killed at any
/// instant leaves a record recovery can finish.
struct RolloutExecutor: Sendable {
    let context: ControllerContext

    /// What the rollout replaces.
    struct Previous: Sendable {
        var spec: ResolvedDeployment
        var revision: String
    }

    /// How a rollout ended.
    enum Outcome: Sendable, Equatable {
        case succeeded
        case failed(String)
        case cancelled
    }

    /// Rolls `spec` out at `revision`. `scale` rolls out only a replica-count (or rollout
    /// settings) change: existing replicas stay.
    func run(spec: ResolvedDeployment, revision: String, previous: Previous?, changes: [FieldChange], scale: Bool) async {
        let store = context.store
        let name = spec.name
        let hash = spec.specHash
        let generation = ReplicaRenderer.generation(of: spec)
        let strategy = scale ? "Scale" : spec.rollout.strategy.rawValue
        let what = changes.isEmpty ? "" : " (" + changes.prefix(4).map(\.description).joined(separator: "; ") + (changes.count > 4 ? "; …" : "") + ")"

        let rollout: RolloutRecord
        do {
            rollout = try store.write { tx in
                let record = try tx.beginRollout(
                    deployment: name, revision: revision, specHash: hash,
                    fromSpecHash: previous?.spec.specHash, fromRevision: previous?.revision, strategy: strategy)
                _ = try tx.updateDeployment(named: name) { d in
                    d.attemptedSpecHash = hash
                    d.attemptedRevision = revision
                    d.health = .progressing
                    d.sync = .outOfSync
                    d.message = "rolling out \(short(revision)) (\(strategy))"
                }
                try tx.appendEvent(.normal, reason: "RolloutStarted",
                                   message: "rolling out revision \(short(revision)) with \(strategy)\(what)", deployment: name)
                return record
            }
        } catch {
            context.logger.error("cannot record the rollout of \(name): \(error)")
            return
        }

        context.logger.info("rolling out revision \(short(revision)) with \(strategy)\(what)", metadata: ["deployment": "\(name)"])
        let outcome = await execute(spec: spec, revision: revision, generation: generation, previous: previous, scale: scale)
        guard let rolloutID = rollout.id else { return }
        switch outcome {
        case .cancelled:
            // Superseded or shutting down: the next rollout or recovery finishes the record.
            return
        case .succeeded:
            await succeed(spec: spec, revision: revision, generation: generation, rolloutID: rolloutID)
        case let .failed(reason):
            await fail(spec: spec, revision: revision, generation: generation, previous: previous,
                       scale: scale, rolloutID: rolloutID, reason: reason)
        }
    }

    private func execute(spec: ResolvedDeployment, revision: String, generation: String, previous: Previous?, scale: Bool) async -> Outcome {
        do {
            _ = try context.export(revision)
        } catch {
            return .failed("cannot export revision \(short(revision)): \(error)")
        }
        let existing = (try? context.store.replicas(of: spec.name)) ?? []
        let sameGeneration = existing.filter { $0.generation == generation }

        if !scale && spec.rollout.strategy == .recreate {
            await stop(existing.filter { $0.generation != generation }, why: "Recreate stops the old replicas first")
        }
        if scale {
            await stop(sameGeneration.filter { $0.replicaIndex >= spec.replicas }, why: "scaled down")
        }

        var started: [ReplicaID] = []
        for index in 0..<spec.replicas where !sameGeneration.contains(where: { $0.replicaIndex == index }) {
            if Task.isCancelled { return .cancelled }
            do {
                started.append(try await startReplica(spec, index: index, revision: revision))
            } catch {
                return .failed("replica \(index) could not start: \(error)")
            }
        }
        let gated = started + sameGeneration.filter { $0.replicaIndex < spec.replicas }.map(\.replicaID)
        return await gate(gated, spec: spec)
    }

    /// Waits until every replica has been ready for `minHealthySeconds`, failing on a crash
    /// loop, an exit that will not be restarted, or the progress deadline.
    private func gate(_ ids: [ReplicaID], spec: ResolvedDeployment) async -> Outcome {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(spec.rollout.progressDeadlineSeconds))
        let minHealthy = TimeInterval(spec.rollout.minHealthySeconds)
        while true {
            if Task.isCancelled { return .cancelled }
            var allHealthy = true
            var waitingOn = ""
            for id in ids {
                guard let snapshot = await context.supervisor.snapshot(id) else {
                    return .failed("replica \(id.replica) is no longer supervised")
                }
                switch snapshot.state {
                case .crashLoop:
                    return .failed("replica \(id.replica) is crash-looping: \(snapshot.message ?? snapshot.lastExit?.description ?? "")")
                case .exited:
                    return .failed("replica \(id.replica) exited (\(snapshot.lastExit?.description ?? "unknown status")) and its restart policy does not restart it")
                case .ready:
                    if let since = snapshot.readySince, Date().timeIntervalSince(since) >= minHealthy { continue }
                    allHealthy = false
                    waitingOn = "replica \(id.replica) ready, waiting \(spec.rollout.minHealthySeconds)s of health"
                default:
                    allHealthy = false
                    var detail = snapshot.state.rawValue
                    if let message = snapshot.message { detail += ": \(message)" }
                    if let exit = snapshot.lastExit { detail += "; last exit \(exit)" }
                    waitingOn = "replica \(id.replica) \(detail)"
                }
            }
            if allHealthy { return .succeeded }
            if clock.now >= deadline {
                return .failed("not healthy within progressDeadlineSeconds (\(spec.rollout.progressDeadlineSeconds)s): \(waitingOn)")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func succeed(spec: ResolvedDeployment, revision: String, generation: String, rolloutID: Int64) async {
        let name = spec.name
        let old = ((try? context.store.replicas(of: name)) ?? []).filter { $0.generation != generation }
        await stop(old, why: "replaced by revision \(short(revision))")
        let ready = ((try? context.store.replicas(of: name)) ?? []).filter { $0.generation == generation }
        let endpoint = ready.sorted { $0.replicaIndex < $1.replicaIndex }.first.map { "http://127.0.0.1:\($0.port)" }
        do {
            try context.store.write { tx in
                _ = try tx.updateDeployment(named: name) { d in
                    d.appliedSpec = spec.storedJSON
                    d.appliedSpecHash = spec.specHash
                    d.appliedRevision = revision
                    d.lastHealthySpecHash = spec.specHash
                    d.quarantinedSpecHash = nil
                    d.quarantineReason = nil
                    d.health = .healthy
                    d.sync = d.desiredSpecHash == spec.specHash ? .synced : .outOfSync
                    d.readyReplicas = ready.count
                    d.desiredReplicas = spec.replicas
                    d.endpoint = endpoint
                    d.message = ""
                }
                _ = try tx.finishRollout(id: rolloutID, outcome: .succeeded)
                _ = try tx.updateSource { s in s.lastAppliedCommit = revision }
                try tx.appendEvent(.normal, reason: "RolloutSucceeded",
                                   message: "revision \(short(revision)) is serving (\(spec.replicas) replica\(spec.replicas == 1 ? "" : "s") healthy for \(spec.rollout.minHealthySeconds)s)",
                                   deployment: name)
            }
            context.logger.info("revision \(short(revision)) is serving", metadata: ["deployment": "\(name)"])
        } catch {
            context.logger.error("cannot record the success of \(name)'s rollout: \(error)")
        }
    }

    private func fail(spec: ResolvedDeployment, revision: String, generation: String, previous: Previous?,
                      scale: Bool, rolloutID: Int64, reason: String) async {
        let name = spec.name
        var restored = ""
        if spec.rollout.autoRollback {
            let mine = ((try? context.store.replicas(of: name)) ?? []).filter { $0.generation == generation }
            if !scale { await stop(mine, why: "rolled back") }
            if let previous, !scale, spec.rollout.strategy == .recreate {
                // Recreate stopped the old replicas: bring the last healthy spec back.
                for index in 0..<previous.spec.replicas {
                    do {
                        _ = try context.export(previous.revision)
                        _ = try await startReplica(previous.spec, index: index, revision: previous.revision)
                    } catch {
                        context.event(.warning, "RollbackFailed", "cannot restore replica \(index) of revision \(short(previous.revision)): \(error)", deployment: name)
                    }
                }
            }
            restored = previous.map { "; rolled back, \(short($0.revision)) keeps serving" } ?? "; rolled back (nothing was serving before)"
        }
        let message = "rollout of \(short(revision)) failed: \(reason)\(restored). Spec \(spec.specHash.prefix(12)) is quarantined until Git changes it"
        do {
            try context.store.write { tx in
                _ = try tx.updateDeployment(named: name) { d in
                    d.quarantinedSpecHash = spec.specHash
                    d.quarantineReason = reason
                    d.health = .degraded
                    d.sync = .outOfSync
                    d.message = message
                }
                _ = try tx.finishRollout(id: rolloutID, outcome: spec.rollout.autoRollback ? .rolledBack : .failed, reason: reason)
                try tx.appendEvent(.warning, reason: "RolloutFailed", message: message, deployment: name)
            }
            context.logger.warning("\(message)", metadata: ["deployment": "\(name)"])
        } catch {
            context.logger.error("cannot record the failure of \(name)'s rollout: \(error)")
        }
    }

    // MARK: Replicas

    /// Starts one replica, journaled: intent → spawn → record → intent completed.
    func startReplica(_ spec: ResolvedDeployment, index: Int, revision: String) async throws -> ReplicaID {
        let store = context.store
        let supervisor = context.supervisor
        let id = context.renderer.replicaID(spec, replica: index)
        let port = try await supervisor.allocatePort()
        let replicaSpec = context.renderer.render(spec, replica: index, port: port, revision: revision)
        let intent = try store.beginIntent(
            action: "StartReplica", deployment: spec.name,
            payload: "{\"generation\":\"\(id.generation)\",\"replica\":\(index),\"port\":\(port),\"revision\":\"\(revision)\"}")
        let snapshot: ReplicaSnapshot
        do {
            snapshot = try await supervisor.start(id, spec: replicaSpec)
        } catch {
            context.persist("the intent outcome") { try $0.completeIntent(intent, outcome: "failed: \(error)") }
            await supervisor.releasePort(port)
            throw error
        }
        do {
            try store.write { tx in
                _ = try tx.insertReplica(ReplicaRecord(
                    deployment: spec.name, replicaIndex: index, generation: id.generation,
                    specHash: spec.specHash, revision: revision, port: port,
                    pid: snapshot.identity?.pid, startTime: snapshot.identity?.startTime,
                    processGroup: snapshot.identity?.processGroup,
                    state: snapshot.state.rawValue, restarts: snapshot.restarts,
                    startedAt: snapshot.startedAt ?? Date(), logPath: replicaSpec.logFile.path))
                try tx.completeIntent(intent, outcome: "started \(snapshot.identity.map { "pid \($0.pid)" } ?? "")")
            }
        } catch {
            // Without a record it would be an orphan: stop it rather than lose track of it.
            await supervisor.stop(id)
            context.persist("the intent outcome") { try $0.completeIntent(intent, outcome: "failed to record: \(error)") }
            throw error
        }
        return id
    }

    /// Stops replicas, journaled, and forgets them.
    func stop(_ replicas: [ReplicaRecord], why: String) async {
        await withTaskGroup(of: Void.self) { group in
            for record in replicas {
                group.addTask {
                    let id = record.replicaID
                    let intent = try? context.store.beginIntent(
                        action: "StopReplica", deployment: record.deployment,
                        payload: "{\"generation\":\"\(record.generation)\",\"replica\":\(record.replicaIndex)}")
                    await context.supervisor.stop(id)
                    if let rowID = record.id { context.persist("the removal of replica \(id)") { try $0.deleteReplica(id: rowID) } }
                    if let intent { context.persist("the intent outcome") { try $0.completeIntent(intent, outcome: "stopped: \(why)") } }
                }
            }
        }
    }
}
