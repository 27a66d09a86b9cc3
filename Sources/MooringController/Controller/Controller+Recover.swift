import Foundation
import MooringManifests
import MooringStore
import MooringSupervisor

extension Controller {
    /// Start-up recovery, before the first reconcile:
    /// 1. rollouts left in progress by a previous controller are closed as failed
    ///    ("interrupted"); the first reconcile starts them again;
    /// 2. every recorded replica is verified (pid + start time + process group) and
    ///    adopted without a restart — or forgotten when it is gone. Replicas of an
    ///    interrupted rollout are adopted too: if Git still wants that spec, the rollout
    ///    started again gates them instead of starting new ones; if not, the first
    ///    reconcile stops them;
    /// 3. processes carrying this state directory's marker that no record accounts for
    ///    (killed between spawn and record) are stopped, so nothing runs twice;
    /// 4. intents left open are closed;
    /// 5. replicas of a serving deployment that vanished while no controller ran are
    ///    started again.
    func recover() async {
        let store = context.store
        let executor = RolloutExecutor(context: context)

        // 1. Interrupted rollouts.
        for record in (try? store.deployments()) ?? [] {
            if let open = try? store.inProgressRollout(of: record.name), let id = open.id {
                context.persist("the interruption of \(record.name)'s rollout") { try $0.finishRollout(id: id, outcome: .failed, reason: "interrupted: the controller stopped during the rollout; it is started again") }
                context.event(.warning, "RolloutInterrupted", "rollout of \(short(open.revision)) was interrupted by a controller restart; starting it again", deployment: record.name)
            }
        }

        // 2. Adopt or forget recorded replicas.
        var adoptedGroups = Set<Int32>()
        let deployments = Dictionary(uniqueKeysWithValues: ((try? store.deployments()) ?? []).map { ($0.name, $0) })
        for replica in (try? store.replicas()) ?? [] {
            let deployment = deployments[replica.deployment]
            let applied = ResolvedDeployment.fromStored(deployment?.appliedSpec)
            let desired = ResolvedDeployment.fromStored(deployment?.desiredSpec)
            let spec: ResolvedDeployment?
            var serving = false
            if let applied, ReplicaRenderer.generation(of: applied) == replica.generation {
                spec = applied
                serving = true
            } else if let desired, ReplicaRenderer.generation(of: desired) == replica.generation {
                spec = desired
            } else {
                spec = nil
            }
            let id = replica.replicaID
            guard let spec, let pid = replica.pid, let startTime = replica.startTime, let group = replica.processGroup else {
                if let rowID = replica.id { context.persist("the removal of replica \(id)") { try $0.deleteReplica(id: rowID) } }
                continue
            }
            let replicaSpec = context.renderer.render(spec, replica: replica.replicaIndex, port: replica.port, revision: replica.revision)
            let identity = ProcessIdentity(pid: pid, startTime: startTime, processGroup: group)
            if await context.supervisor.adopt(id, spec: replicaSpec, identity: identity) != nil {
                adoptedGroups.insert(group)
                context.event(.normal, "Adopted", "replica \(replica.replicaIndex) (pid \(pid)) adopted without restart\(serving ? "" : " (it belongs to the interrupted rollout)")", deployment: replica.deployment)
            } else {
                if let rowID = replica.id { context.persist("the removal of replica \(id)") { try $0.deleteReplica(id: rowID) } }
                context.event(.warning, "ReplicaGone", "replica \(replica.replicaIndex) (pid \(pid)) is no longer running; it is not adopted", deployment: replica.deployment)
            }
        }

        // 3. Orphans: marked processes whose group nobody recorded.
        let orphans = OrphanScanner.scan(stateDirectory: context.layout.root)
            .filter { !adoptedGroups.contains($0.processGroup) }
        if !orphans.isEmpty {
            let groups = Set(orphans.map(\.processGroup))
            context.event(.warning, "OrphansStopped", "stopping \(groups.count) unrecorded model process group\(groups.count == 1 ? "" : "s") (pids \(orphans.map { String($0.pid) }.joined(separator: ", "))) left by a controller that died mid-start")
            await OrphanScanner.terminate(groups: groups, grace: context.configuration.orphanGracePeriod)
        }

        // 4. Intents left open.
        for intent in (try? store.openIntents()) ?? [] {
            if let id = intent.id {
                context.persist("the intent outcome") { try $0.completeIntent(id, outcome: "abandoned: the controller restarted; recovery reconciled it") }
            }
        }

        // 5. Replicas of serving deployments that vanished.
        for record in (try? store.deployments()) ?? [] {
            guard let applied = ResolvedDeployment.fromStored(record.appliedSpec), let revision = record.appliedRevision,
                  !applied.suspend else { continue }
            let generation = ReplicaRenderer.generation(of: applied)
            let present = Set(((try? store.replicas(of: record.name)) ?? []).filter { $0.generation == generation }.map(\.replicaIndex))
            for index in 0..<applied.replicas where !present.contains(index) {
                do {
                    _ = try context.export(revision)
                    _ = try await executor.startReplica(applied, index: index, revision: revision)
                    context.event(.normal, "ReplicaRecreated", "replica \(index) was gone after a controller restart; started it again", deployment: record.name)
                } catch {
                    context.event(.warning, "ReplicaStartFailed", "cannot start replica \(index) again: \(error)", deployment: record.name)
                }
            }
            refreshHealth(of: record.name)
        }
    }
}
