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
        var servers: [TrafficServer] = replicas.values.sorted { $0.key < $1.key }.compactMap { slot in
            guard let port = slot.port, slot.phase != .stopping, slot.phase != .pending else { return nil }
            let inRotation = Self.inRotation(slot) && slot.key.generation != untested
            let state: TrafficServer.State = slot.drainingSince != nil ? .drain : (inRotation ? .ready : .maint)
            return TrafficServer(name: Self.serverName(slot.key), port: port, state: state)
        }
        if let share = canaryShare { Self.applyCanaryWeights(share, to: &servers) }
        return TrafficBackend(
            name: name, address: endpoint.address, port: endpoint.port,
            mode: endpoint.protocol == .tcp ? .tcp : .http, checkPath: checkPath,
            checkIntervalSeconds: spec.health.periodSeconds, checkFall: spec.health.failureThreshold,
            checkRise: spec.health.successThreshold, servers: servers)
    }

    /// The HAProxy weight budget of one generation during a canary (HAProxy's maximum).
    static let canaryWeightBudget = 256

    /// Splits requests `share.percent` / `100 - share.percent` between the new generation
    /// and every other one: each generation's budget (``canaryWeightBudget`` times its
    /// share) is divided evenly among its servers in rotation, rounded, at least 1 (0 for a
    /// 0 % share). A generation with a server out of rotation loses that server's part of
    /// its share rather than taking the other generation's (docs/traffic.md).
    static func applyCanaryWeights(_ share: (generation: String, percent: Int), to servers: inout [TrafficServer]) {
        let isNew = { (server: TrafficServer) in replicaKey(serverName: server.name)?.generation == share.generation }
        let readyNew = servers.filter { $0.state == .ready && isNew($0) }.count
        let readyOld = servers.filter { $0.state == .ready && !isNew($0) }.count
        func weight(_ percent: Int, among count: Int) -> Int {
            guard percent > 0, count > 0 else { return 0 }
            let exact = Double(canaryWeightBudget * percent) / 100 / Double(count)
            return min(canaryWeightBudget, max(1, Int(exact.rounded())))
        }
        let newWeight = weight(share.percent, among: readyNew)
        let oldWeight = weight(100 - share.percent, among: readyOld)
        for index in servers.indices where servers[index].state == .ready {
            servers[index].weight = isNew(servers[index]) ? newWeight : oldWeight
        }
    }

    /// Whether a replica takes requests: ready, or adopted by a restarted controller and
    /// not probed yet (the supervisor says `running`, "adopted"; HAProxy's own check still
    /// guards it). A replica `running` because it fails its probe is out of rotation.
    static func inRotation(_ slot: ReplicaSlot) -> Bool {
        slot.phase == .ready || (slot.phase == .running && slot.message == Self.adoptedMessage)
    }

    /// The supervisor's message for a replica it adopted and has not probed yet.
    static let adoptedMessage = "adopted"

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
        trafficEndpoint != nil && slot.port != nil && (Self.inRotation(slot) || slot.drainingSince != nil)
    }

    /// When a draining replica is stopped even with requests left: its grace period.
    func drainDeadline(_ slot: ReplicaSlot) -> Date? {
        guard let since = slot.drainingSince else { return nil }
        let grace = target(forSpecHash: slot.specHash, revision: slot.revision).spec.gracePeriodSeconds
        return since.addingTimeInterval(TimeInterval(grace))
    }
}
