import Foundation
import MooringStore
import MooringSupervisor

/// `mooring down`: stops every model process a state directory manages, and its HAProxy — recorded
/// replicas whose identity still matches (a reused pid is never signalled), any
/// unrecorded process carrying the directory's marker, and anything left in the replicas'
/// cgroups (``ProcessContainment``, scope: the state directory) — and forgets them.
public enum ProcessCleanup {
    /// Stops everything; returns how many process groups were signalled.
    public static func stopAll(layout: StateLayout, grace: Duration) async throws -> Int {
        var groups = Set<Int32>()
        let store = FileManager.default.fileExists(atPath: layout.database.path) ? try StateStore(path: layout.database) : nil
        for replica in (try store?.replicas()) ?? [] {
            if let pid = replica.pid, let startTime = replica.startTime, let group = replica.processGroup,
               let current = ProcessIdentity.current(pid: pid),
               current.startTime == startTime, current.processGroup == group {
                groups.insert(group)
            }
        }
        for orphan in OrphanScanner.scan(stateDirectory: layout.root) {
            groups.insert(orphan.processGroup)
        }
        // The data plane's HAProxy (docs/traffic.md), when its recorded identity still holds.
        if let haproxy = DataPlane.recordedIdentity(stateDirectory: layout.root),
           ProcessIdentity.current(pid: haproxy.pid) == haproxy {
            groups.insert(haproxy.processGroup)
        }
        await OrphanScanner.terminate(groups: groups, grace: grace, reapChildren: true)
        // What a replica started outside its process group (a daemon that called setsid()
        // and cleared its environment) is still in the replica's cgroup.
        _ = await ProcessContainment.killAllCgroups(scope: layout.root.path)
        let count = groups.count
        if let store {
            try await store.write { tx in
                for replica in try tx.replicas() {
                    if let id = replica.id { _ = try tx.deleteReplica(id: id) }
                }
                for deployment in try tx.deployments() {
                    _ = try tx.updateDeployment(named: deployment.name) { d in
                        d.health = .missing
                        d.readyReplicas = 0
                        d.message = "stopped by `mooring down`; the next `mooring run` starts it again"
                    }
                }
                try tx.appendEvent(.normal, reason: "Down", message: "`mooring down` stopped \(count) model process group\(count == 1 ? "" : "s")")
            }
        }
        return groups.count
    }
}
