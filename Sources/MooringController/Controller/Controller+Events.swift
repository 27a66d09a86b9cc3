import Foundation
import MooringManifests
import MooringStore
import MooringSupervisor

extension Controller {
    /// Records what the supervisor reports about a replica — state, restarts, last exit,
    /// and the new identity after a restart (so adoption after a crash finds the right
    /// pid) — and recomputes the deployment's health unless a rollout owns it.
    func handle(_ event: ReplicaEvent) async {
        let store = context.store
        let id = event.id
        let snapshot = event.snapshot
        if var record = ((try? store.replicas(of: id.deployment)) ?? []).first(where: {
            $0.generation == id.generation && $0.replicaIndex == id.replica
        }) {
            record.state = snapshot.state.rawValue
            record.restarts = snapshot.restarts
            if let identity = snapshot.identity {
                record.pid = identity.pid
                record.startTime = identity.startTime
                record.processGroup = identity.processGroup
            }
            if let exit = snapshot.lastExit {
                record.lastExitCode = exit.code
                record.lastExitSignal = exit.signal
                record.lastExitAt = exit.time
            }
            context.persist("replica \(id)") { try $0.updateReplica(record) }
        }

        switch event.reason {
        case "CrashLoop": crashLooping.insert(id.description)
        case "Ready", "Stopped", "Gone": crashLooping.remove(id.description)
        default: break
        }
        switch event.reason {
        case "Exited", "CrashLoop", "Gone", "Unready":
            context.event(.warning, event.reason, "replica \(id.replica): \(event.message)", deployment: id.deployment)
        case "BackOff", "Started":
            // A BackOff always follows an exit; only a replica's very first Started is routine.
            if event.reason == "BackOff" || snapshot.restarts > 0 {
                context.event(.normal, event.reason, "replica \(id.replica): \(event.message)", deployment: id.deployment)
            }
        default:
            break
        }
        if !isRollingOut(id.deployment) && !stopping {
            refreshHealth(of: id.deployment)
        }
    }

    /// Health of a deployment with no rollout under way, from its serving replicas:
    /// all ready → Healthy; any crash-looping → Degraded with the exit status; otherwise
    /// Progressing (starting or restarting) with what it waits on.
    func refreshHealth(of name: String) {
        let store = context.store
        guard let record = try? store.deployment(named: name),
              let applied = ResolvedDeployment.fromStored(record.appliedSpec) else { return }
        if applied.suspend { return }
        let generation = ReplicaRenderer.generation(of: applied)
        let replicas = ((try? store.replicas(of: name)) ?? []).filter { $0.generation == generation }
            .sorted { $0.replicaIndex < $1.replicaIndex }
        let ready = replicas.filter { $0.state == ReplicaState.ready.rawValue }.count
        var health = DeploymentHealth.healthy
        var message = ""
        let looping = replicas.first {
            $0.state == ReplicaState.crashLoop.rawValue
                || crashLooping.contains($0.replicaID.description)
        }
        if let looping {
            health = .degraded
            message = "replica \(looping.replicaIndex) is crash-looping (\(looping.restarts) restarts, last exit \(exitDescription(looping)))"
        } else if let exited = replicas.first(where: { $0.state == ReplicaState.exited.rawValue }) {
            health = .degraded
            message = "replica \(exited.replicaIndex) exited (\(exitDescription(exited))) and is not restarted by its policy"
        } else if ready < applied.replicas {
            health = .progressing
            let waiting = replicas.first { $0.state != ReplicaState.ready.rawValue }
            message = "\(ready)/\(applied.replicas) replicas ready" + (waiting.map { "; replica \($0.replicaIndex) is \($0.state)" + ($0.lastExitAt != nil ? " after exit \(exitDescription($0))" : "") } ?? "")
        }
        if record.quarantinedSpecHash != nil && record.quarantinedSpecHash == record.desiredSpecHash {
            health = .degraded
            message = record.message
        }
        context.persist("the health of \(name)") { try $0.updateDeployment(named: name) { d in
            d.health = health
            d.readyReplicas = ready
            if d.quarantinedSpecHash == nil || d.quarantinedSpecHash != d.desiredSpecHash { d.message = message }
            d.endpoint = replicas.first.map { "http://127.0.0.1:\($0.port)" }
        } }
    }

    private func exitDescription(_ replica: ReplicaRecord) -> String {
        if let code = replica.lastExitCode { return "code \(code)" }
        if let signal = replica.lastExitSignal { return "signal \(signal)" }
        return "unknown"
    }
}
