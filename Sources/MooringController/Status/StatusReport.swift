import Foundation
import MooringManifests
import MooringStatus
import MooringStore
import MooringSupervisor

extension StatusReport {
    /// Reads the report from `stateDirectory`; throws a clear error if there is no state.
    ///
    /// While a controller holds the state directory, each row is what it summarized after
    /// its last transition. When none does, nothing keeps the rows true, so the words are
    /// computed again here from the recorded facts and what this reader sees itself:
    /// every recorded process is checked (pid + start time), and a vanished one makes the
    /// deployment `Unknown` instead of echoing the last stored word.
    public static func load(stateDirectory: URL, only name: String? = nil) throws -> StatusReport {
        let layout = StateLayout(root: stateDirectory)
        let store = try StateStore(readOnlyPath: layout.database)
        let holder = StateLock.holder(at: layout.lock)
        let (sourceRecord, records, rows) = try store.read { tx in
            (try tx.source(), try tx.deployments().filter { name == nil || $0.name == name }, try tx.replicas())
        }
        let storeError = try StoreHealthFile(layout: layout).read()
        let source = sourceRecord.map {
            Source(repo: $0.repo, branch: $0.branch, path: $0.path, commit: $0.lastFetchedCommit,
                   subject: $0.lastFetchedSubject, lastFetch: $0.lastFetchAt,
                   nextFetch: holder == nil ? nil : $0.nextFetchAt, error: $0.lastError,
                   controllerRunning: holder != nil, controllerPid: holder, tipRejected: $0.tipRejected,
                   storeError: storeError)
        }
        let rowsByDeployment = Dictionary(grouping: rows, by: \.deployment)
        let deployments = records.map { record in
            var summary = StatusSummary(sync: record.sync, health: record.health,
                                        readyReplicas: record.readyReplicas, message: record.message)
            var version: String?
            var details: [Replica]?
            do {
                let machine = try DeploymentMachine(record: record, replicas: rowsByDeployment[record.name] ?? [])
                version = (machine.applied ?? machine.desired).spec.model?.version
                details = replicaDetails(machine)
                if holder == nil {
                    summary = StatusSummary.of(offlineFacts(machine))
                }
            } catch {
                summary = StatusSummary(sync: .unknown, health: .unknown, readyReplicas: 0, message: "\(error)")
            }
            var deployment = Deployment(
                name: record.name, sync: summary.sync.rawValue, health: summary.health.rawValue,
                readyReplicas: summary.readyReplicas, replicas: record.desiredReplicas,
                desiredRevision: record.desiredRevision, attemptedRevision: record.attemptedRevision,
                appliedRevision: record.appliedRevision, modelVersion: version,
                rolloutPhase: record.rolloutPhase?.rawValue, endpoint: record.endpoint,
                createdAt: record.createdAt, updatedAt: record.updatedAt, message: summary.message)
            deployment.replicaDetails = details
            deployment.canaryStep = record.canaryStep
            deployment.canaryWeight = record.canaryWeight
            deployment.replicaEndpoints = (rowsByDeployment[record.name] ?? [])
                .filter { $0.state != .stopping }
                .sorted { ($0.generation, $0.replicaIndex) < ($1.generation, $1.replicaIndex) }
                .compactMap { $0.port.map { "http://127.0.0.1:\($0)" } }
            return deployment
        }
        return StatusReport(source: source, deployments: deployments)
    }

    /// Every replica slot of `machine`, serving generation first, then by generation and index.
    private static func replicaDetails(_ machine: DeploymentMachine) -> [Replica] {
        machine.replicas.values
            .sorted { ($0.key.generation == machine.servingGeneration ? 0 : 1, $0.key) < ($1.key.generation == machine.servingGeneration ? 0 : 1, $1.key) }
            .map { slot in
                Replica(index: slot.key.index, generation: slot.key.generation,
                        serving: slot.key.generation == machine.servingGeneration, phase: slot.phase.rawValue,
                        pid: slot.identity?.pid, address: slot.port.map { "http://127.0.0.1:\($0)" }, port: slot.port,
                        ports: slot.ports)
            }
    }

    /// The machine's facts with no controller running: each serving replica's process is
    /// checked here.
    private static func offlineFacts(_ machine: DeploymentMachine) -> DeploymentFacts {
        var facts = machine.facts
        facts.controllerRunning = false
        for (offset, replica) in facts.serving.enumerated() {
            let slot = machine.replicas.values.first { $0.key.generation == machine.servingGeneration && $0.key.index == replica.index }
            guard let identity = slot?.identity else {
                facts.serving[offset].alive = false
                continue
            }
            let current = ProcessIdentity.current(pid: identity.pid)
            facts.serving[offset].alive = current?.startTime == identity.startTime
        }
        return facts
    }
}
