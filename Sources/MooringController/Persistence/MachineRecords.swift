import Foundation
import MooringManifests
import MooringStatus
import MooringStore
import MooringSupervisor

/// A stored deployment that cannot be turned back into a machine: a person must look.
/// Its processes are left running untouched (never stopped as orphans).
struct UnreadableDeployment: Error, CustomStringConvertible {
    var name: String
    var reason: String
    var description: String {
        "the stored state of \(name) cannot be read (\(reason)); its processes are left running untouched and it is not reconciled — move the state directory aside to rebuild it from Git"
    }
}

extension DeploymentMachine {
    /// Rebuilds a machine from its stored row and replica rows.
    init(record: DeploymentRecord, replicas rows: [ReplicaRecord]) throws {
        func decode(_ text: String, _ what: String) throws -> ResolvedDeployment {
            do {
                return try JSONDecoder().decode(ResolvedDeployment.self, from: Data(text.utf8))
            } catch {
                throw UnreadableDeployment(name: record.name, reason: "its \(what) spec does not decode: \(error)")
            }
        }
        let desired = try decode(record.desiredSpec, "desired")
        self.init(name: record.name, desired: Target(spec: desired, revision: record.desiredRevision, hash: record.desiredSpecHash))
        if let text = record.appliedSpec, let hash = record.appliedSpecHash, let revision = record.appliedRevision {
            applied = Target(spec: try decode(text, "applied"), revision: revision, hash: hash)
        }
        if let text = record.previousSpec, let hash = record.previousSpecHash, let revision = record.previousRevision {
            previous = Target(spec: try decode(text, "previous"), revision: revision, hash: hash)
        }
        servingGeneration = record.servingGeneration
        attemptedHash = record.attemptedSpecHash
        attemptedRevision = record.attemptedRevision
        if let hash = record.quarantinedSpecHash {
            quarantine = Quarantine(specHash: hash, reason: record.quarantineReason ?? "its rollout failed")
        }
        if let text = record.rollout {
            do {
                rollout = try JSONDecoder().decode(RolloutState.self, from: Data(text.utf8))
            } catch {
                throw UnreadableDeployment(name: record.name, reason: "its rollout state does not decode: \(error)")
            }
        }
        nextGeneration = record.nextGeneration
        removing = record.removing
        userSuspended = record.userSuspended
        rejection = record.rejection
        specHashVersion = record.specHashVersion
        for row in rows {
            let key = ReplicaKey(generation: row.generation, index: row.replicaIndex)
            var slot = ReplicaSlot(key: key, specHash: row.specHash, revision: row.revision, phase: row.state,
                                   port: row.port, startedAt: row.startedAt)
            do {
                slot.ports = try row.namedPorts()
            } catch {
                throw UnreadableDeployment(name: record.name, reason: "\(error)")
            }
            if let pid = row.pid, let startTime = row.startTime, let group = row.processGroup {
                slot.identity = ProcessIdentity(pid: pid, startTime: startTime, processGroup: group)
            }
            slot.restarts = row.restarts
            if row.lastExitCode != nil || row.lastExitSignal != nil {
                slot.lastExit = ExitStatus(code: row.lastExitCode, signal: row.lastExitSignal, time: row.lastExitAt ?? row.startedAt)
            }
            slot.readySince = row.readySince
            slot.drainingSince = row.drainingSince
            replicas[key] = slot
        }
        // Rows of the first schema carry no serving generation: the applied spec's replicas have one.
        if servingGeneration == nil, let applied {
            servingGeneration = rows.first { $0.specHash == applied.hash }?.generation
        }
    }

    /// The facts ``StatusSummary`` decides from, as the controller knows them.
    var facts: DeploymentFacts {
        let serving = replicas.values.filter { $0.key.generation == servingGeneration }
            .sorted { $0.key.index < $1.key.index }
            .map { DeploymentFacts.Replica(index: $0.key.index, phase: $0.phase, pid: $0.identity?.pid,
                                           restarts: $0.restarts, lastExit: $0.lastExit?.description) }
        return DeploymentFacts(
            name: name, desiredRevision: desired.revision, desiredSpecHash: hash(of: desired),
            appliedSpecHash: applied?.hash, appliedRevision: applied?.revision,
            appliedReplicas: applied?.spec.replicas ?? 0, suspended: isSuspended, removing: removing,
            quarantinedSpecHash: quarantine?.specHash, quarantineReason: quarantine?.reason,
            rollout: rollout.map { .init(phase: $0.phase, kind: $0.kind, revision: $0.target.revision, detail: $0.detail, failure: $0.failure) },
            serving: serving, rejection: rejection, controllerRunning: true, endpointProblem: trafficProblem)
    }

    /// The deployment row for this state, with its status summarized from the facts.
    func record() throws -> DeploymentRecord {
        let summary = StatusSummary.of(facts)
        var record = DeploymentRecord(
            name: name, desiredSpec: desired.storedSpecJSON, desiredSpecHash: desired.hash,
            desiredRevision: desired.revision, attemptedSpecHash: attemptedHash, attemptedRevision: attemptedRevision,
            appliedSpec: applied?.storedSpecJSON, appliedSpecHash: applied?.hash, appliedRevision: applied?.revision,
            lastHealthySpecHash: applied?.hash,
            quarantinedSpecHash: quarantine?.specHash, quarantineReason: quarantine?.reason,
            sync: summary.sync, health: summary.health, message: summary.message,
            readyReplicas: summary.readyReplicas, desiredReplicas: desired.spec.replicas,
            endpoint: endpoint, suspended: isSuspended)
        record.previousSpec = previous?.storedSpecJSON
        record.previousSpecHash = previous?.hash
        record.previousRevision = previous?.revision
        record.specHashVersion = specHashVersion
        record.servingGeneration = servingGeneration
        record.nextGeneration = nextGeneration
        record.rollout = try rollout.map { String(decoding: try StableJSON.encode($0), as: UTF8.self) }
        record.rolloutPhase = rollout?.phase
        if let rollout, rollout.phase == .canary, let progress = rollout.canary {
            record.canaryStep = progress.step + 1
            record.canaryWeight = canaryShare?.percent
        }
        record.removing = removing
        record.userSuspended = userSuspended
        record.rejection = rejection
        return record
    }

    /// Where clients reach it: the stable endpoint, else the first ready serving replica.
    var endpoint: String? {
        if let stable = trafficEndpoint { return stable.url }
        let serving = replicas.values.filter { $0.key.generation == servingGeneration && $0.port != nil }
            .sorted { ($0.phase == .ready ? 0 : 1, $0.key.index) < ($1.phase == .ready ? 0 : 1, $1.key.index) }
        return serving.first?.port.map { "http://127.0.0.1:\($0)" }
    }
}

extension ReplicaSlot {
    /// The replica row for this slot.
    func record(deployment: String, logPath: String) -> ReplicaRecord {
        var record = ReplicaRecord(
            deployment: deployment, replicaIndex: key.index, generation: key.generation, specHash: specHash,
            revision: revision, port: port, pid: identity?.pid, startTime: identity?.startTime,
            processGroup: identity?.processGroup, state: phase, restarts: restarts,
            lastExitCode: lastExit?.code, lastExitSignal: lastExit?.signal, lastExitAt: lastExit?.time,
            readySince: readySince, drainingSince: drainingSince, startedAt: startedAt, logPath: logPath)
        record.setNamedPorts(ports)
        return record
    }
}

/// JSON with sorted keys, for what the controller stores (stable bytes for equal values).
enum StableJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

extension ResolvedDeployment {
    /// The canonical JSON as text, as stored in `desiredSpec` / `appliedSpec`.
    var storedJSON: String { String(decoding: canonicalJSON(), as: UTF8.self) }
}
