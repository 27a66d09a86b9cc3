import Foundation
import MooringManifests
import MooringStatus
import MooringStore
import MooringSupervisor
import ServiceLifecycle

extension Controller {
    /// Start-up: rebuilds every deployment's machine from the store and reconnects to
    /// what runs, before the first reconcile.
    /// 1. The store is read; if it cannot be, *nothing* is stopped or adopted and the read
    ///    is retried with backoff (a failed read never looks like empty state).
    /// 2. Every recorded replica is adopted without a restart (pid + start time + process
    ///    group) or reported gone. A replica recorded `Pending` — the controller died around
    ///    its spawn — is found by its environment markers and adopted, or reported gone.
    /// 3. Processes carrying this state directory's marker that no replica accounts for
    ///    are stopped — only now that the store was read, and never those of a deployment
    ///    whose record cannot be decoded.
    /// 4. Every machine resumes: a rollout continues at its persisted phase, stops and
    ///    starts that were in flight are issued again, missing replicas are started.
    /// Returns false when a shutdown began first; throws when another controller still
    /// runs this state directory's models (its state directory was replaced under it):
    /// two controllers would run every model twice.
    func recover() async throws -> Bool {
        let root = context.layout.root
        let scan = await Blocking.run { OrphanScanner.scan(stateDirectory: root) }
        let me = getpid()
        if let other = scan.first(where: { $0.parent > 1 && $0.parent != me && OrphanScanner.isController($0.parent) }) {
            throw ControllerError(.locked, "another controller (pid \(other.parent)) still runs the model processes of \(root.path) (pid \(other.pid)), although this state directory's lock is free: its state directory was removed or replaced under it. Stop it first (kill \(other.parent)), then start this one")
        }
        guard let (records, rows) = await readState() else { return false }
        let rowsByDeployment = Dictionary(grouping: rows, by: \.deployment)
        for record in records {
            do {
                machines[record.name] = try DeploymentMachine(record: record, replicas: rowsByDeployment[record.name] ?? [])
            } catch {
                unreadable[record.name] = "\(error)"
                await context.event(.warning, .storeFailed, "\(error)", deployment: record.name)
            }
        }

        var accounted = Set<Int32>()
        var inputs: [(String, DeploymentInput)] = []
        for machine in machines.values.sorted(by: { $0.name < $1.name }) {
            for slot in machine.replicas.values.sorted(by: { $0.key < $1.key }) {
                let name = machine.name
                let key = slot.key
                var identity = slot.identity
                var port = slot.port
                var ports = slot.ports
                if identity == nil, let found = scan.first(where: {
                    $0.isGroupLeader && $0.markers["MOORING_DEPLOYMENT"] == name
                        && $0.markers[OrphanScanner.generationVariable] == key.generation
                        && $0.markers["MOORING_REPLICA"] == String(key.index)
                }) {
                    identity = ProcessIdentity.current(pid: found.pid)
                    port = found.markers["PORT"].flatMap(Int.init)
                    let target = machine.target(forSpecHash: slot.specHash, revision: slot.revision)
                    ports = Self.namedPorts(target.spec.ports ?? [], markers: found.markers)
                }
                guard let identity, let port else {
                    inputs.append((name, .gone(key, reason: "it was never started")))
                    continue
                }
                let target = machine.target(forSpecHash: slot.specHash, revision: slot.revision)
                let spec = context.renderer.render(target.spec, replica: key.index, port: port, ports: ports, revision: slot.revision,
                                                   generation: key.generation, specHash: slot.specHash)
                let id = replicaID(name, key)
                if let snapshot = await context.runner.adopt(id, spec: spec, identity: identity) {
                    accounted.insert(identity.processGroup)
                    if slot.identity == nil {
                        inputs.append((name, .started(key, port: port, ports: ports, identity: identity, at: snapshot.startedAt ?? now())))
                    }
                    inputs.append((name, .observed(key, ReplicaObservation(
                        phase: ReplicaPhase(snapshot.state), identity: snapshot.identity, restarts: snapshot.restarts,
                        lastExit: snapshot.lastExit, readySince: snapshot.readySince, message: snapshot.message))))
                    await context.event(.normal, .adopted, "replica \(key.index) (pid \(identity.pid)) adopted without restart", deployment: name)
                } else {
                    inputs.append((name, .gone(key, reason: "pid \(identity.pid) is no longer running")))
                }
            }
        }

        var orphans = scan.filter {
            !accounted.contains($0.processGroup) && unreadable[$0.markers["MOORING_DEPLOYMENT"] ?? ""] == nil
        }
        // Processes of deployments the store does not know at all (the store was lost or
        // reset): kept until Git says whether they run what it wants, then adopted or stopped.
        let claimable = Set(orphans.filter { found in
            found.isGroupLeader && found.markers["MOORING_DEPLOYMENT"].map { machines[$0] == nil } == true
                && found.markers[OrphanScanner.specHashVariable] != nil
        }.map(\.processGroup))
        unclaimed = orphans.filter { claimable.contains($0.processGroup) && $0.isGroupLeader }
        orphans.removeAll { claimable.contains($0.processGroup) }
        if !unclaimed.isEmpty {
            await context.event(.warning, .orphansKept, "found \(unclaimed.count) model process\(unclaimed.count == 1 ? "" : "es") of deployments the state store does not know (was it lost or reset?); each is adopted if Git wants exactly what it runs, else stopped")
        }
        if !orphans.isEmpty {
            let groups = Set(orphans.map(\.processGroup))
            await context.event(.warning, .orphansStopped, "stopping \(groups.count) unrecorded model process group\(groups.count == 1 ? "" : "s") (pids \(orphans.map { String($0.pid) }.joined(separator: ", "))) that no record accounts for")
            await OrphanScanner.terminate(groups: groups, grace: context.configuration.orphanGracePeriod)
        }

        sweepScratchDirectories()
        await closeLegacyIntents()
        for name in machines.keys.sorted() { inputs.append((name, .resume)) }
        await apply(inputs)
        return true
    }

    /// Reads every deployment and replica row, retrying with backoff while the store
    /// cannot be read; nil when a shutdown began first.
    private func readState() async -> ([DeploymentRecord], [ReplicaRecord])? {
        var attempt = 0
        while true {
            do {
                return try await context.store.read { tx in (try tx.deployments(), try tx.replicas()) }
            } catch {
                attempt += 1
                let delay = min(30, 1 << min(attempt, 5))
                context.logger.error("cannot read the state store at \(context.layout.database.path): \(error); no model process is stopped or adopted until it can be read — retrying in \(delay)s")
                do {
                    try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: .seconds(delay)) }
                } catch {
                    return nil
                }
            }
        }
    }

    /// The named ports a process found by its markers was started with (`PORT_GRPC=…`).
    static func namedPorts(_ names: [String], markers: [String: String]) -> [String: Int] {
        var ports: [String: Int] = [:]
        for name in names {
            if let port = markers[NamedPorts.environmentName(name)].flatMap(Int.init) { ports[name] = port }
        }
        return ports
    }

    /// Removes the scratch directories of replicas no machine has any more (stopped while
    /// no controller ran, or gone): only now that the store was read.
    private func sweepScratchDirectories() {
        let layout = context.layout
        for found in ScratchDirectories.existing(under: layout.scratch) {
            let key = Int(found.replica).map { ReplicaKey(generation: found.generation, index: $0) }
            if let key, machines[found.deployment]?.replicas[key] != nil { continue }
            if unreadable[found.deployment] != nil { continue }
            let url = layout.scratch.appendingPathComponent(found.deployment).appendingPathComponent(found.generation)
                .appendingPathComponent(found.replica)
            if let problem = ScratchDirectories.remove(url, root: layout.scratch) {
                context.logger.warning("\(problem); remove it by hand, nothing else depends on it")
            }
        }
    }

    /// The first schema journaled replica starts and stops as intents; they are history now.
    private func closeLegacyIntents() async {
        await context.persist("the closing of old journal entries") { tx in
            for intent in try tx.openIntents() where intent.action == .startReplica || intent.action == .stopReplica {
                if let id = intent.id { try tx.completeIntent(id, outcome: "abandoned: superseded by the rollout state machine") }
            }
        }
    }
}
