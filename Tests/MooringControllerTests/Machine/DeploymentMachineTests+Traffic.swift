import Foundation
import MooringStatus
import MooringTraffic
import Testing
@testable import MooringController

/// Interleavings behind a stable endpoint: the same world, with a fake data plane that
/// reports draining servers idle (or, for some rows, never). Every row also checks the
/// traffic rules after every input (``MachineWorld/checkTraffic``).
extension DeploymentMachineTests {
    static let trafficRows: [Row] = [
        Row(label: "Surge behind an endpoint: the old replica drains, then stops", script: { w in
                rollingV2(to: .draining, &w)
                let old = try oldReplica(w)
                if w.stopsInFlight.contains(old) { throw Failure("stopped before the data plane drained it") }
                let servers = w.machine.trafficBackend?.servers ?? []
                if servers.map(\.state) != [.drain, .ready] { throw Failure("backend: \(servers)") }
                w.reportDrained()
                if !w.stopsInFlight.contains(old) { throw Failure("not stopped once drained") }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "requests that never finish: stopped after gracePeriodSeconds", script: { w in
                w.dataPlaneIdle = false
                rollingV2(to: .draining, &w)
                let old = try oldReplica(w)
                w.wait(29)
                if w.stopsInFlight.contains(old) { throw Failure("stopped before the grace period ended") }
                w.wait(1)
                if !w.stopsInFlight.contains(old) { throw Failure("not stopped at the end of the grace period") }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "revert while the old replica drains", script: { w in
                rollingV2(to: .draining, &w); w.commit(1); w.settle()
            }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "a crash-looping version never takes traffic and is rolled back", script: { w in
                w.broken = [2]; rollingV2(to: .gating, &w)
                if w.machine.trafficBackend?.servers.filter({ $0.state == .ready }).count != 1 { throw Failure("\(String(describing: w.machine.trafficBackend))") }
                w.settle()
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "controller restart while the old replica drains", script: { w in
                rollingV2(to: .draining, &w); try w.restart(); w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "controller restart mid-drain keeps the drain's deadline", script: { w in
                w.dataPlaneIdle = false
                rollingV2(to: .draining, &w)
                let old = try oldReplica(w)
                w.wait(20)
                try w.restart()
                if w.machine.replicas[old]?.drainingSince == nil { throw Failure("the restarted controller forgot the drain") }
                w.wait(9)
                if w.stopsInFlight.contains(old) { throw Failure("stopped before the grace period ended") }
                w.wait(1)
                if !w.stopsInFlight.contains(old) { throw Failure("not stopped 30 s after the drain began: the restart started it over") }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "scale 3 → 1 drains the removed replicas", script: { w in
                w.settle(); w.commit(1, replicas: 3); w.settle()
                w.commit(1, replicas: 1)
                w.finishPrepares(); w.finishStarts(); w.probe()
                let draining = w.machine.trafficBackend?.servers.filter { $0.state == .drain }.count
                if draining != 2 { throw Failure("draining: \(String(describing: draining))") }
                w.settle()
            }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "a replica failing its probe leaves rotation until it recovers", script: { w in
                w.settle(); w.commit(1, replicas: 2); w.settle()
                let key = try #require(w.machine.replicas.keys.max())
                func state() -> TrafficServer.State? {
                    w.machine.trafficBackend?.servers.first { $0.name == DeploymentMachine.serverName(key) }?.state
                }
                w.send(.observed(key, ReplicaObservation(phase: .running, identity: w.machine.replicas[key]?.identity, message: "HTTP 500 from /healthz")))
                if state() != .maint { throw Failure("unready replica still in rotation: \(String(describing: state()))") }
                w.send(.observed(key, ReplicaObservation(phase: .ready, identity: w.machine.replicas[key]?.identity, readySince: w.now)))
                if state() != .ready { throw Failure("recovered replica not back: \(String(describing: state()))") }
            }, serving: 1, live: [1, 1], sync: .synced, health: .healthy),
        Row(label: "HAProxy reports a problem: Degraded with the reason, nothing stops", script: { w in
                w.settle()
                w.send(.traffic("HAProxy is not installed"))
                if !w.summary.message.contains("HAProxy is not installed") { throw Failure(w.summary.message) }
                if w.liveVersions != [1] { throw Failure("\(w.liveVersions)") }
            }, serving: 1, live: [1], sync: .synced, health: .degraded),
    ]

    /// The replica of the serving spec's old generation.
    static func oldReplica(_ w: MachineWorld) throws -> ReplicaKey {
        guard let generation = w.machine.rollout?.generation,
              let key = w.machine.replicas.keys.first(where: { $0.generation != generation }) else {
            throw Failure("no old replica")
        }
        return key
    }

    @Test(arguments: trafficRows)
    func trafficInterleaving(_ row: Row) throws {
        var world = MachineWorld(version: 1, endpoint: true)
        try row.script(&world)
        Self.verify(world, row)
        #expect(world.trafficViolations.isEmpty, "\(world.trafficViolations)")
    }
}
