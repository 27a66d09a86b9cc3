import Foundation
import MooringManifests
import MooringStatus
import MooringSupervisor

extension Controller {
    /// After a lost store: model processes that carry this state directory's markers but
    /// that no record knows are adopted when Git wants exactly the spec they run (same
    /// spec hash), so losing `state.sqlite` does not restart every model; the others are
    /// stopped gracefully. Runs once, at the first valid commit.
    func claim(_ set: ManifestSet, at revision: String) async {
        let found = unclaimed
        unclaimed = []
        let specs = Dictionary(uniqueKeysWithValues: set.deployments.map { ($0.name, $0) })
        var claimed: [String: DeploymentMachine] = [:]
        var stop = Set<Int32>()
        for process in found.sorted(by: { $0.pid < $1.pid }) {
            let markers = process.markers
            guard let name = markers["MOORING_DEPLOYMENT"], let spec = specs[name], machines[name] == nil,
                  spec.specHash == markers[OrphanScanner.specHashVariable],
                  let generation = markers[OrphanScanner.generationVariable], !generation.isEmpty,
                  let index = markers["MOORING_REPLICA"].flatMap(Int.init), index < spec.replicas,
                  let port = markers["PORT"].flatMap(Int.init),
                  let identity = ProcessIdentity.current(pid: process.pid) else {
                stop.insert(process.processGroup)
                continue
            }
            let running = markers["MOORING_REVISION"] ?? revision
            var machine = claimed[name] ?? DeploymentMachine(name: name, desired: Target(spec: spec, revision: revision))
            if let serving = machine.servingGeneration, serving != generation {
                stop.insert(process.processGroup) // a second generation of the same spec: one is enough
                continue
            }
            let key = ReplicaKey(generation: generation, index: index)
            guard machine.replicas[key] == nil else {
                stop.insert(process.processGroup)
                continue
            }
            let rendered = context.renderer.render(spec, replica: index, port: port, revision: running,
                                                   generation: generation, specHash: spec.specHash)
            guard let snapshot = await context.runner.adopt(replicaID(name, key), spec: rendered, identity: identity) else {
                continue // gone meanwhile
            }
            machine.applied = Target(spec: spec, revision: running)
            machine.servingGeneration = generation
            machine.attemptedHash = spec.specHash
            machine.attemptedRevision = running
            machine.nextGeneration = max(machine.nextGeneration, Self.generationNumber(generation) + 1)
            var slot = ReplicaSlot(key: key, specHash: spec.specHash, revision: running, phase: ReplicaPhase(snapshot.state),
                                   port: port, identity: identity, startedAt: snapshot.startedAt ?? now())
            slot.readySince = snapshot.readySince
            machine.replicas[key] = slot
            claimed[name] = machine
        }
        if !claimed.isEmpty {
            let transitions = claimed.keys.sorted().compactMap { name -> Transition? in
                guard let machine = claimed[name] else { return nil }
                let count = machine.replicas.count
                return Transition(name: name, before: nil, after: machine, actions: [
                    .event(.normal, .adopted, "\(count) running replica\(count == 1 ? "" : "s") adopted without restart after the state store was lost: Git wants exactly the spec they run"),
                ])
            }
            if await write(transitions) {
                for transition in transitions { machines[transition.name] = transition.after }
            }
        }
        if !stop.isEmpty {
            await context.event(.warning, .orphansStopped, "stopping \(stop.count) unrecorded model process group\(stop.count == 1 ? "" : "s") that Git no longer wants as they run")
            await OrphanScanner.terminate(groups: stop, grace: context.configuration.orphanGracePeriod)
        }
    }

    /// The number of a generation named `g<N>-…` (0 when it has another form).
    static func generationNumber(_ generation: String) -> Int {
        guard generation.hasPrefix("g"), let dash = generation.firstIndex(of: "-") else { return 0 }
        return Int(generation[generation.index(after: generation.startIndex)..<dash]) ?? 0
    }
}
