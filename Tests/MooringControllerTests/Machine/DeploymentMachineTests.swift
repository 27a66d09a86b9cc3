import Foundation
import MooringManifests
import MooringStatus
import MooringStore
import Testing
@testable import MooringController

/// Every interleaving the controller core must survive, as rows: a script of Git commits,
/// process events, slow stops and controller restarts, and what a user sees afterwards —
/// which version serves, which processes run, and the status words. No process, no
/// network, no sleeping: each row runs in microseconds.
@Suite struct DeploymentMachineTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var script: @Sendable (inout MachineWorld) throws -> Void
        /// The version that ends up serving (applied).
        var serving: Int?
        /// Versions of the processes alive at the end.
        var live: [Int]
        var sync: DeploymentSync
        var health: DeploymentHealth
        var testDescription: String { label }
    }

    /// v1 serving, then a rollout of v2 driven to `phase`.
    static func rollingV2(to phase: RolloutPhase, _ world: inout MachineWorld) {
        world.settle()
        world.commit(2)
        if phase == .preparing { return }
        world.finishPrepares()
        if phase == .starting { return }
        world.finishStarts()
        world.probe()
        if phase == .gating { return }
        world.wait(5) // minHealthySeconds: promoted, the old replica's stop is in flight
    }

    static let rows: [Row] = [
        Row(label: "first deploy", script: { $0.settle() }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "Surge rollout", script: { rollingV2(to: .draining, &$0); $0.settle() },
            serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "Recreate rollout", script: { w in
                w.settle(); w.commit(2, strategy: "Recreate"); w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),

        // A new commit lands mid-rollout.
        Row(label: "new commit during preparing", script: { rollingV2(to: .preparing, &$0); $0.commit(3); $0.settle() },
            serving: 3, live: [3], sync: .synced, health: .healthy),
        Row(label: "new commit during starting", script: { rollingV2(to: .starting, &$0); $0.commit(3); $0.settle() },
            serving: 3, live: [3], sync: .synced, health: .healthy),
        Row(label: "new commit during gating", script: { rollingV2(to: .gating, &$0); $0.commit(3); $0.settle() },
            serving: 3, live: [3], sync: .synced, health: .healthy),
        Row(label: "new commit during draining", script: { rollingV2(to: .draining, &$0); $0.commit(3); $0.settle() },
            serving: 3, live: [3], sync: .synced, health: .healthy),

        // Git goes back to what serves.
        Row(label: "revert to the serving spec during preparing", script: { rollingV2(to: .preparing, &$0); $0.commit(1); $0.settle() },
            serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "revert to the serving spec during starting", script: { rollingV2(to: .starting, &$0); $0.commit(1); $0.settle() },
            serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "revert to the serving spec during gating", script: { rollingV2(to: .gating, &$0); $0.commit(1); $0.settle() },
            serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "the promoted spec again during draining", script: { rollingV2(to: .draining, &$0); $0.commit(2); $0.settle() },
            serving: 2, live: [2], sync: .synced, health: .healthy),
        // The defect this core was rebuilt for: v1's stop is in flight when the revert lands.
        Row(label: "revert to the previous spec while the old replica drains", script: { w in
                rollingV2(to: .draining, &w); w.commit(1); w.settle()
            }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "revert lands, then the old replica's stop finishes", script: { w in
                rollingV2(to: .draining, &w); w.commit(1); w.finishStops(); w.settle()
            }, serving: 1, live: [1], sync: .synced, health: .healthy),

        // Failures and quarantine.
        Row(label: "a crash-looping version is rolled back", script: { w in
                w.broken = [2]; rollingV2(to: .gating, &w); w.settle()
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "a version that never gets ready misses its deadline", script: { w in
                w.settle(); w.commit(2); w.finishPrepares(); w.finishStarts()
                for _ in 0..<13 { w.wait(5) } // never probed ready: 65s > progressDeadlineSeconds
                w.finishStops()
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "a commit that returns to a quarantined spec is not retried", script: { w in
                w.broken = [2]; rollingV2(to: .gating, &w); w.settle()
                w.commit(1); w.settle()
                w.broken = []
                let begun = w.history.filter { if case .begin = $0 { return true } else { return false } }.count
                w.commit(2); w.settle()
                let after = w.history.filter { if case .begin = $0 { return true } else { return false } }.count
                if after != begun { throw Failure("a rollout of the quarantined spec began") }
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "sync --retry tries a quarantined spec again", script: { w in
                w.broken = [2]; rollingV2(to: .gating, &w); w.settle()
                w.broken = []
                w.send(.retry); w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),

        // Suspension and deletion.
        Row(label: "suspend in Git during a rollout", script: { w in
                rollingV2(to: .gating, &w); w.commit(2, suspend: true); w.settle()
            }, serving: 1, live: [1], sync: .outOfSync, health: .suspended),
        Row(label: "mooring suspend during a rollout, then resume", script: { w in
                rollingV2(to: .starting, &w); w.send(.suspend(true)); w.settle()
                if w.liveVersions != [1] { throw Failure("suspended deployment changed: \(w.liveVersions)") }
                w.send(.suspend(false)); w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "deletion during a rollout", script: { w in
                rollingV2(to: .gating, &w); w.send(.removed(revision: MachineWorld.revision(9))); w.settle()
                if !w.deleted { throw Failure("the row was not deleted after every replica stopped") }
            }, serving: 1, live: [], sync: .outOfSync, health: .progressing),

        // Scaling keeps the running replicas.
        Row(label: "scale 1 → 3 → 1 keeps replica 0", script: { w in
                w.settle()
                let first = w.processes.values.first?.pid
                w.commit(1, replicas: 3); w.settle()
                if w.liveVersions != [1, 1, 1] { throw Failure("scaled up to \(w.liveVersions)") }
                w.commit(1, replicas: 1); w.settle()
                if w.processes.values.first?.pid != first { throw Failure("replica 0 was restarted") }
            }, serving: 1, live: [1], sync: .synced, health: .healthy),

        // The controller is killed at every phase and started again.
        Row(label: "restart during preparing", script: { rollingV2(to: .preparing, &$0); try $0.restart(); $0.settle() },
            serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "restart during starting (spawn lost)", script: { rollingV2(to: .starting, &$0); try $0.restart(); $0.settle() },
            serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "restart during gating", script: { rollingV2(to: .gating, &$0); try $0.restart(); $0.settle() },
            serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "restart during draining (stop lost)", script: { rollingV2(to: .draining, &$0); try $0.restart(); $0.settle() },
            serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "restart during rolling back", script: { w in
                w.broken = [2]; rollingV2(to: .gating, &w); try w.restart(); w.settle()
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "restart during a Recreate's drain", script: { w in
                w.settle(); w.commit(2, strategy: "Recreate"); w.finishPrepares(); try w.restart(); w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "restart while a revert lands during a drain", script: { w in
                rollingV2(to: .draining, &w); w.commit(1); try w.restart(); w.settle()
            }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "a serving replica that died while no controller ran is started again", script: { w in
                w.settle(); w.processes = [:]; try w.restart(); w.settle()
            }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "a serving replica that died while no controller ran is started again mid-rollout, not after it", script: { w in
                w.broken = [2]
                rollingV2(to: .gating, &w)
                for (key, process) in w.processes where process.version == 1 { w.processes[key] = nil }
                try w.restart()
                w.finishStarts()
                let phase = w.machine.rollout?.phase
                guard let phase, !phase.isTerminal, w.processes.values.contains(where: { $0.version == 1 }) else {
                    throw Failure("during the rollout (\(String(describing: phase))) no v1 process runs: \(w.processes.values.map(\.version))")
                }
                w.settle()
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "… and with a version that becomes healthy, it is drained as usual", script: { w in
                rollingV2(to: .starting, &w)
                for (key, process) in w.processes where process.version == 1 { w.processes[key] = nil }
                try w.restart()
                w.finishStarts()
                guard w.processes.values.contains(where: { $0.version == 1 }) else {
                    throw Failure("during the rollout no v1 process runs: \(w.processes.values.map(\.version))")
                }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        // The Testing gate (spec.tests): after Gating, before the new replicas take over.
        Row(label: "a version that passes its model tests is promoted", script: { w in
                w.settle(); w.commit(2, tests: true); w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "a version that answers its golden requests wrongly is rolled back", script: { w in
                w.wrong = [2]; w.settle(); w.commit(2, tests: true); w.settle()
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "restart during testing runs the tests again", script: { w in
                testingV2(&w)
                try w.restart()
                if w.machine.rollout?.phase != .testing || w.testsInFlight.count != 1 {
                    throw Failure("after the restart: phase \(String(describing: w.machine.rollout?.phase)), \(w.testsInFlight.count) test runs")
                }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "new commit during testing: the late results are ignored", script: { w in
                testingV2(&w); w.commit(3, tests: true)
                w.wrong = [2]; w.settle()
            }, serving: 3, live: [3], sync: .synced, health: .healthy),
        Row(label: "tests that never answer miss the progress deadline", script: { w in
                testingV2(&w); w.testsInFlight = []
                for _ in 0..<13 { w.wait(5) }
                w.settle()
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
    ]

    /// v1 serving, then v2 with model tests healthy and its tests asked for (in flight).
    static func testingV2(_ world: inout MachineWorld) {
        world.settle()
        world.commit(2, tests: true)
        world.finishPrepares()
        world.finishStarts()
        world.probe()
        world.wait(5)
    }

    @Test(arguments: rows)
    func interleaving(_ row: Row) throws {
        var world = MachineWorld(version: 1)
        try row.script(&world)
        Self.verify(world, row)
        // Every slot the machine records is a process that exists (no lost process).
        for slot in world.machine.replicas.values where slot.phase != .pending {
            #expect(world.processes[slot.key] != nil, "slot \(slot.key) has no process")
        }
    }

    /// What every row checks: the version serving, the live processes, the status words,
    /// and that every live process is recorded (no unmanaged duplicate).
    static func verify(_ world: MachineWorld, _ row: Row) {
        #expect(world.servingVersion == row.serving, "serving")
        #expect(world.liveVersions == row.live, "live processes")
        let summary = world.summary
        #expect(summary.sync == row.sync, "sync: \(summary.message)")
        #expect(summary.health == row.health, "health: \(summary.message)")
        // Every live process is recorded (no unmanaged duplicate).
        for key in world.processes.keys {
            #expect(world.machine.replicas[key] != nil, "process \(key) is not recorded")
        }
    }

    @Test func eachPhaseIsRecordedInHistoryInOrder() {
        var world = MachineWorld(version: 1)
        world.settle()
        world.history = []
        world.commit(2)
        world.settle()
        let phases = world.history.compactMap { change -> RolloutPhase? in
            if case let .phase(phase) = change { return phase } else { return nil }
        }
        #expect(phases == [.preparing, .starting, .gating, .draining, .done], "\(phases)")
        #expect(world.history.last == .finish(.succeeded, reason: nil))
    }

    @Test func aFailedModelTestNamesTheCheckAndWhatCameBack() {
        var world = MachineWorld(version: 1)
        world.wrong = [2]
        world.settle()
        world.history = []
        world.commit(2, tests: true)
        world.settle()
        let phases = world.history.compactMap { change -> RolloutPhase? in
            if case let .phase(phase) = change { return phase } else { return nil }
        }
        #expect(phases == [.preparing, .starting, .gating, .testing, .rollingBack, .failed], "\(phases)")
        #expect(world.machine.quarantine?.reason == "test iris-setosa: $.c expected 0, got 2")
        let recorded = world.history.compactMap { change -> [String]? in
            if case let .tests(results) = change { return results.map { "\($0.name) \($0.passed) \($0.detail ?? "")" } } else { return nil }
        }
        #expect(recorded == [["iris-setosa false $.c expected 0, got 2"]], "the results go to the rollout's history")
        #expect(world.summary.message.contains("test iris-setosa: $.c expected 0, got 2"), "\(world.summary.message)")
    }

    /// Behind a stable endpoint a version takes traffic only once its model tests passed:
    /// a wrong one never does; a good one spends `minHealthySeconds` under traffic after them.
    @Test(arguments: [false, true])
    func behindAStableEndpointTrafficWaitsForTheModelTests(wrongVersion: Bool) {
        var world = MachineWorld(version: 1, endpoint: true)
        if wrongVersion { world.wrong = [2] }
        world.settle()
        world.history = []
        world.commit(2, tests: true)
        world.finishPrepares()
        world.finishStarts()
        world.probe()
        #expect(world.machine.rollout?.phase == .testing)
        let servers = world.machine.trafficBackend?.servers ?? []
        #expect(servers.filter { $0.state == .ready }.count == 1, "only v1 serves while v2 is tested: \(servers)")
        world.finishTests()
        if wrongVersion {
            world.settle()
            #expect(world.servingVersion == 1)
            #expect(world.machine.quarantine != nil)
        } else {
            #expect(world.machine.rollout?.phase == .gating, "minHealthySeconds, now under traffic")
            #expect((world.machine.trafficBackend?.servers ?? []).filter { $0.state == .ready }.count == 2)
            world.wait(5)
            world.settle()
            #expect(world.servingVersion == 2)
        }
        #expect(world.trafficViolations.isEmpty, "\(world.trafficViolations)")
    }

    @Test func aFailedRolloutNamesWhatFailedAndHowToRetry() {
        var world = MachineWorld(version: 1)
        world.broken = [2]
        world.settle()
        world.commit(2)
        world.settle()
        let message = world.summary.message
        #expect(message.contains("crash-looping"))
        #expect(message.contains("mooring sync --retry iris"))
        #expect(world.history.last == .finish(.rolledBack, reason: world.machine.quarantine?.reason))
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite struct SpecHashVersionTests {
    /// State written by a controller whose hashes were of version 1 (no model content in
    /// the hash): the same spec from Git rolls nothing, and the row is re-stamped.
    @Test func rowsWithOlderHashesAreRestampedWithoutARollout() throws {
        var world = MachineWorld(version: 1)
        world.settle()
        let pids = world.processes.values.map(\.pid)
        var record = try world.machine.record()
        let old = world.machine.desired.spec.specHash(version: 1)
        record.specHashVersion = 1
        record.desiredSpecHash = old
        record.appliedSpecHash = old
        let rows = world.machine.replicas.values.map { slot -> MooringStore.ReplicaRecord in
            var row = slot.record(deployment: "iris", logPath: "/l")
            row.specHash = old
            return row
        }
        world.machine = try DeploymentMachine(record: record, replicas: rows)
        world.history = []
        world.send(.desired(MachineWorld.target(1, commit: 7)))
        world.settle()
        #expect(world.history.isEmpty, "\(world.history)")
        #expect(world.processes.values.map(\.pid) == pids)
        #expect(world.machine.specHashVersion == ResolvedDeployment.specHashVersion)
        #expect(world.machine.applied?.hash == world.machine.desired.hash)
        #expect(world.summary.sync == .synced)
    }
}
