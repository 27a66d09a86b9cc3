import Foundation
import MooringManifests
import MooringStatus
import MooringTraffic

/// The data plane's view of a deployment, derived from the machine after every transition
/// ("level-triggered"): the controller hands ``trafficBackend`` to the data plane, which
/// makes HAProxy equal to it, and reports back `drained` facts and problems as inputs.
/// Nothing here does I/O.
extension DeploymentMachine {
    /// The stable endpoint in force: the rollout's target's while one moves forward, else
    /// the applied spec's. None while the deployment is being removed.
    public var trafficEndpoint: StableEndpoint? {
        if removing { return nil }
        if let rollout, rollout.phase != .rollingBack, rollout.phase != .failed {
            return rollout.target.spec.endpoint
        }
        return applied?.spec.endpoint ?? rollout?.target.spec.endpoint
    }

    /// The backend HAProxy should have for this deployment, nil without a stable endpoint.
    ///
    /// Every replica with a port is a server, named `<generation>-<index>`: `ready` once
    /// the supervisor's probe passed and, when the spec has model tests, they passed (or while an adopted replica awaits its first probe) (so new replicas take traffic only after their health
    /// gate, and `minHealthySeconds` is spent under traffic), `drain` once the machine is
    /// stopping it (no new requests; it stops when the data plane reports it idle or
    /// `gracePeriodSeconds` ran out), `maint` otherwise (starting, unhealthy, backing off).
    /// A stopping replica is no server: it is taken out of the backend.
    public var trafficBackend: TrafficBackend? {
        guard let endpoint = trafficEndpoint else { return nil }
        let spec = (rollout?.target ?? applied ?? desired).spec
        var checkPath: String?
        if case let .http(path, nil, "http") = spec.health.probe { checkPath = path }
        // A new generation whose model tests have not passed takes no request.
        let untested = rollout.flatMap { awaitsModelTests($0) ? $0.generation : nil }
        let servers: [TrafficServer] = replicas.values.sorted { $0.key < $1.key }.compactMap { slot in
            guard let port = slot.port, slot.phase != .stopping, slot.phase != .pending else { return nil }
            let inRotation = Self.inRotation(slot.phase) && slot.key.generation != untested
            let state: TrafficServer.State = slot.drainingSince != nil ? .drain : (inRotation ? .ready : .maint)
            return TrafficServer(name: Self.serverName(slot.key), port: port, state: state)
        }
        return TrafficBackend(
            name: name, address: endpoint.address, port: endpoint.port,
            mode: endpoint.protocol == .tcp ? .tcp : .http, checkPath: checkPath,
            checkIntervalSeconds: spec.health.periodSeconds, checkFall: spec.health.failureThreshold,
            checkRise: spec.health.successThreshold, servers: servers)
    }

    /// Whether a replica in `phase` takes requests: ready, or running with its probe not
    /// passed yet since a controller restart adopted it (HAProxy's own check still guards it).
    static func inRotation(_ phase: ReplicaPhase) -> Bool { phase == .ready || phase == .running }

    /// A replica's server name in HAProxy.
    public static func serverName(_ key: ReplicaKey) -> String { "\(key.generation)-\(key.index)" }

    /// The replica a server name stands for (the index follows the last `-`).
    public static func replicaKey(serverName: String) -> ReplicaKey? {
        guard let dash = serverName.lastIndex(of: "-"), let index = Int(serverName[serverName.index(after: dash)...]) else { return nil }
        return ReplicaKey(generation: String(serverName[..<dash]), index: index)
    }

    /// Whether stopping `slot` goes through the data plane's drain first: it is behind a
    /// stable endpoint and was in rotation (ready), or is draining already.
    func needsDrain(_ slot: ReplicaSlot) -> Bool {
        trafficEndpoint != nil && slot.port != nil && (Self.inRotation(slot.phase) || slot.drainingSince != nil)
    }

    /// When a draining replica is stopped even with requests left: its grace period.
    func drainDeadline(_ slot: ReplicaSlot) -> Date? {
        guard let since = slot.drainingSince else { return nil }
        let grace = target(forSpecHash: slot.specHash, revision: slot.revision).spec.gracePeriodSeconds
        return since.addingTimeInterval(TimeInterval(grace))
    }
}
