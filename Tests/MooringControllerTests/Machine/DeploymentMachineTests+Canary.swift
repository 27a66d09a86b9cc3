import Foundation
import MooringManifests
import MooringStatus
import MooringSupervisor
import MooringTraffic
import Testing
@testable import MooringController

/// Canary steps (`spec.rollout.canary`), in the fake world: a fake load spreads requests
/// over the servers by their weights, a fake HAProxy counts them per server and answers
/// the machine's readings. Each row also checks the traffic rules after every input.
@Suite struct CanaryMachineTests {
    /// Two steps, 20 % then 50 %, 30 s each; 5 % errors at most, 20 requests at least.
    static let twoSteps = "canary: {steps: [{weight: 20, pauseSeconds: 30}, {weight: 50, pauseSeconds: 30}]}, analysis: {maxErrorRatio: 0.05, minRequests: 20}"

    typealias Row = DeploymentMachineTests.Row

    /// v1 serving behind the endpoint, then v2 driven into the first canary step (its
    /// baseline read).
    static func canaryV2(_ w: inout MachineWorld) throws {
        w.settle()
        w.commit(2)
        w.finishPrepares()
        w.finishStarts()
        w.probe()
        w.wait(5) // minHealthySeconds
        guard w.machine.rollout?.phase == .canary else { throw Failure("not in Canary: \(String(describing: w.machine.rollout?.phase))") }
        w.answerMeasures() // the baseline
        guard w.machine.rollout?.canary?.baseline != nil else { throw Failure("no baseline") }
    }

    /// The new generation's share of the summed weights of servers in rotation.
    static func newShare(_ w: MachineWorld) -> Double {
        guard let generation = w.machine.rollout?.generation, let servers = w.machine.trafficBackend?.servers else { return -1 }
        let ready = servers.filter { $0.state == .ready }
        let total = ready.map(\.weight).reduce(0, +)
        let new = ready.filter { $0.name.hasPrefix(generation + "-") }.map(\.weight).reduce(0, +)
        return total == 0 ? 0 : Double(new) / Double(total)
    }

    static func canarySteps(_ w: MachineWorld) -> [CanaryStepResult] {
        w.history.compactMap { if case let .canaryStep(result) = $0 { return result } else { return nil } }
    }

    static let rows: [Row] = [
        Row(label: "a good version passes both steps and is promoted", script: { w in
                try canaryV2(&w)
                if abs(newShare(w) - 0.20) > 0.01 { throw Failure("step 1 share \(newShare(w))") }
                if w.summary.message.contains("canary 20% (step 1/2)") == false { throw Failure(w.summary.message) }
                if w.machine.applied.map({ w.version(of: $0.hash) }) != 1 { throw Failure("promoted before the canary ended") }
                w.wait(30); w.answerMeasures()
                if w.machine.rollout?.canary?.step != 1 { throw Failure("not at step 2: \(String(describing: w.machine.rollout?.canary))") }
                if abs(newShare(w) - 0.50) > 0.01 { throw Failure("step 2 share \(newShare(w))") }
                w.settle()
                let steps = canarySteps(w)
                if steps.map(\.weight) != [20, 50] || !steps.allSatisfy(\.passed) { throw Failure("\(steps)") }
                if steps[0].measurement.requests < 20 { throw Failure("\(steps[0])") }
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "a version answering 500 to 30 % is aborted at step 1 with its numbers", script: { w in
                w.failing = [2: 0.3]
                try canaryV2(&w)
                w.wait(30); w.answerMeasures()
                let rollout = try #require(w.machine.rollout)
                if rollout.phase != .rollingBack { throw Failure("\(rollout.phase)") }
                // The new servers take no new request from the abort on.
                let newServers = w.machine.trafficBackend?.servers.filter { $0.name.hasPrefix(rollout.generation + "-") } ?? []
                if newServers.contains(where: { $0.state == .ready && $0.weight > 0 }) { throw Failure("\(newServers)") }
                let failedBefore = w.failed[2] ?? 0
                w.settle()
                if (w.failed[2] ?? 0) != failedBefore { throw Failure("requests failed after the abort") }
                let message = w.summary.message
                if !message.contains("canary step 1 (20%): error ratio 0.30 > maxErrorRatio 0.05 over") { throw Failure(message) }
                if canarySteps(w).map(\.passed) != [false] { throw Failure("\(canarySteps(w))") }
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "too few requests: the step waits, then fails at the deadline", script: { w in
                w.requestsPerWait = 0
                try canaryV2(&w)
                w.wait(30); w.answerMeasures()
                if w.machine.rollout?.phase != .canary { throw Failure("not waiting: \(String(describing: w.machine.rollout?.phase))") }
                if !w.summary.message.contains("0 of minRequests 20 requests so far") { throw Failure(w.summary.message) }
                for _ in 0..<11 { w.wait(5); w.answerMeasures() }
                if w.machine.rollout?.phase != .canary { throw Failure("failed before the deadline") }
                w.wait(5); w.answerMeasures()
                w.settle()
                if !w.summary.message.contains("fewer than minRequests 20") { throw Failure(w.summary.message) }
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "inconclusive, then enough requests: passes", script: { w in
                w.requestsPerWait = 0
                try canaryV2(&w)
                w.wait(30); w.answerMeasures()
                w.requestsPerWait = 100
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "controller restart mid-step resumes at the same step, weight and start", script: { w in
                try canaryV2(&w)
                w.wait(30); w.answerMeasures() // step 2 begins
                w.wait(10)
                let before = try #require(w.machine.rollout?.canary)
                let share = newShare(w)
                try w.restart()
                let after = try #require(w.machine.rollout?.canary)
                if w.machine.rollout?.phase != .canary || after.step != 1 || after.startedAt != before.startedAt || after.baseline != before.baseline {
                    throw Failure("resumed as \(String(describing: w.machine.rollout?.phase)) \(after)")
                }
                if newShare(w) != share { throw Failure("weight \(newShare(w)) != \(share)") }
                // The pause counts from the persisted start: 20 s are left, not 30.
                w.wait(20); w.answerMeasures()
                if w.machine.rollout?.phase == .canary { throw Failure("still in canary after the pause") }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "controller restart before the baseline was read", script: { w in
                w.settle(); w.commit(2); w.finishPrepares(); w.finishStarts(); w.probe(); w.wait(5)
                if w.measuresInFlight.isEmpty { throw Failure("no reading asked for") }
                try w.restart()
                if w.measuresInFlight.isEmpty { throw Failure("the reading is not asked for again") }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "revert during the canary keeps the old generation", script: { w in
                try canaryV2(&w); w.wait(10); w.commit(1); w.settle()
                if canarySteps(w).isEmpty == false { throw Failure("a step was judged after the revert") }
            }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "new commit during the canary: the next version canaries from v1", script: { w in
                try canaryV2(&w); w.wait(10); w.commit(3); w.settle()
            }, serving: 3, live: [3], sync: .synced, health: .healthy),
        Row(label: "only the canary settings change mid-canary: same replicas, steps start again", script: { w in
                try canaryV2(&w)
                w.wait(30); w.answerMeasures() // step 2 (50 %)
                let generation = try #require(w.machine.rollout?.generation)
                w.rolloutExtra = "canary: {steps: [{weight: 30, pauseSeconds: 10}]}"
                w.commit(2)
                if w.machine.rollout?.generation != generation || w.machine.rollout?.phase != .canary {
                    throw Failure("not carried over: \(String(describing: w.machine.rollout?.generation)) \(String(describing: w.machine.rollout?.phase))")
                }
                if w.machine.rollout?.canary?.step != 0 || abs(newShare(w) - 0.30) > 0.01 { throw Failure("share \(newShare(w))") }
                if !w.startsInFlight.isEmpty { throw Failure("new replicas started") }
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "a new replica crash-loops during the canary: rolled back", script: { w in
                try canaryV2(&w)
                let key = try #require(w.machine.replicas.keys.first { $0.generation == w.machine.rollout?.generation })
                // It exits (backoff: out of rotation, the step goes on), then keeps exiting.
                w.send(.observed(key, ReplicaObservation(phase: .backoff, restarts: 1, lastExit: ExitStatus(code: 1, signal: nil, time: w.now))))
                if w.machine.rollout?.phase != .canary { throw Failure("one exit failed the step") }
                w.send(.observed(key, ReplicaObservation(phase: .crashLoop, restarts: 5, lastExit: ExitStatus(code: 1, signal: nil, time: w.now))))
                w.settle()
                if !w.summary.message.contains("canary step 1 (20%): replica 0 is crash-looping") { throw Failure(w.summary.message) }
            }, serving: 1, live: [1], sync: .outOfSync, health: .degraded),
        Row(label: "HAProxy's numbers cannot be read: retried, then the step passes", script: { w in
                w.statsAnswer = false
                try? canaryV2(&w)
                if !w.summary.message.contains("cannot read HAProxy's numbers") { throw Failure(w.summary.message) }
                w.statsAnswer = true
                w.settle()
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
        Row(label: "first deploy has nothing to compare with: no canary", script: { w in
                w.settle()
                if w.history.contains(.phase(.canary)) { throw Failure("canary on a first deploy") }
            }, serving: 1, live: [1], sync: .synced, health: .healthy),
        Row(label: "with model tests: tests, gate, then the canary", script: { w in
                w.settle(); w.commit(2, tests: true); w.settle()
                let phases = w.history.compactMap { if case let .phase(p) = $0 { return p } else { return nil } }
                guard let testing = phases.lastIndex(of: .testing), let canary = phases.lastIndex(of: .canary), testing < canary else {
                    throw Failure("\(phases)")
                }
            }, serving: 2, live: [2], sync: .synced, health: .healthy),
    ]

    @Test(arguments: rows)
    func canaryInterleaving(_ row: Row) throws {
        var world = MachineWorld(version: 1, endpoint: true, rolloutExtra: Self.twoSteps)
        try row.script(&world)
        DeploymentMachineTests.verify(world, row)
        #expect(world.trafficViolations.isEmpty, "\(world.trafficViolations)")
    }

    @Test func beforeTheFirstStepTheNewGenerationTakesNoRequest() throws {
        var w = MachineWorld(version: 1, endpoint: true, rolloutExtra: Self.twoSteps)
        w.settle(); w.commit(2); w.finishPrepares(); w.finishStarts(); w.probe()
        #expect(w.machine.rollout?.phase == .gating)
        #expect(Self.newShare(w) == 0)
    }

    /// The first reading waits until HAProxy carries the step's weights (the data plane
    /// answers it only then), so the step's pause counts from the reading, not from when the
    /// machine decided the split: HAProxy took 4 s here, and 30 s after the decision the
    /// step is still paused.
    @Test func theFirstStepsPauseCountsFromItsBaselineReading() throws {
        var w = MachineWorld(version: 1, endpoint: true, rolloutExtra: Self.twoSteps)
        w.settle(); w.commit(2); w.finishPrepares(); w.finishStarts(); w.probe(); w.wait(5)
        #expect(w.machine.rollout?.phase == .canary && !w.measuresInFlight.isEmpty)
        w.wait(4)
        w.answerMeasures() // the baseline, once HAProxy carries 20 %
        let read = w.now
        #expect(w.machine.rollout?.canary?.startedAt == read)
        w.wait(27); w.answerMeasures()
        #expect(w.machine.rollout?.canary?.step == 0, "the pause ended 30 s after the decision, not after the reading")
        #expect(w.measuresInFlight.isEmpty && w.summary.message.contains("27s of 30s"), "\(w.summary.message)")
        w.wait(3); w.answerMeasures()
        #expect(w.machine.rollout?.canary?.step == 1, "step 1 was not judged 30 s after its reading")
    }

    @Test func phasesAreRecordedInOrder() throws {
        var w = MachineWorld(version: 1, endpoint: true, rolloutExtra: Self.twoSteps)
        w.settle(); w.history = []
        w.commit(2); w.settle()
        let phases = w.history.compactMap { if case let .phase(p) = $0 { return p } else { return nil } }
        #expect(phases == [.preparing, .starting, .gating, .canary, .draining, .done], "\(phases)")
    }

    @Test func statusAndTheRowCarryTheStepAndWeight() throws {
        var w = MachineWorld(version: 1, endpoint: true, rolloutExtra: Self.twoSteps)
        try Self.canaryV2(&w)
        let record = try w.machine.record()
        #expect(record.canaryStep == 1)
        #expect(record.canaryWeight == 20)
        #expect(record.rolloutPhase == .canary)
        #expect(record.message.contains("canary 20% (step 1/2)"))
    }

    @Test(arguments: [(1, 1, 20), (2, 3, 20), (3, 2, 50), (1, 4, 99), (4, 1, 1)])
    func weightsSplitRequestsByGeneration(newCount: Int, oldCount: Int, percent: Int) {
        var servers = (0..<oldCount).map { TrafficServer(name: "g1-aaaa-\($0)", port: 20_000 + $0, state: .ready) }
            + (0..<newCount).map { TrafficServer(name: "g2-bbbb-\($0)", port: 21_000 + $0, state: .ready) }
        servers.append(TrafficServer(name: "g1-aaaa-9", port: 20_009, state: .maint))
        DeploymentMachine.applyCanaryWeights(("g2-bbbb", percent), to: &servers)
        let ready = servers.filter { $0.state == .ready }
        #expect(ready.allSatisfy { (1...256).contains($0.weight) })
        let new = ready.filter { $0.name.hasPrefix("g2-") }.map(\.weight).reduce(0, +)
        let total = ready.map(\.weight).reduce(0, +)
        #expect(abs(Double(new) / Double(total) * 100 - Double(percent)) < 1.5, "\(servers)")
    }

    @Test func measurementsCountFromTheBaselineAndSurviveACounterReset() {
        let baseline = ["g2-b-0": ServerCounters(responses: 100, responses5xx: 10, responseTimeMillis: 5)]
        let later = ["g2-b-0": ServerCounters(responses: 300, responses5xx: 40, connectionErrors: 2, responseTimeMillis: 9),
                     "g2-b-1": ServerCounters(responses: 50, responses5xx: 0, responseTimeMillis: 3)]
        let m = CanaryMeasurement.between(baseline, later, seconds: 30)
        #expect(m.requests == 252)
        #expect(m.responses5xx == 30)
        #expect(m.connectionErrors == 2)
        #expect(m.failures == 32)
        let weighted: Double = (200.0 * 9.0 + 50.0 * 3.0) / 250.0
        #expect(m.responseTimeMillis == Int(weighted.rounded()))
        // HAProxy restarted: counters began again below the baseline.
        let reset = CanaryMeasurement.between(["g2-b-0": ServerCounters(responses: 1000, responses5xx: 0)],
                                              ["g2-b-0": ServerCounters(responses: 40, responses5xx: 4)], seconds: 30)
        #expect(reset.requests == 40)
        #expect(reset.responses5xx == 4)
    }

    @Test func planAndHistoryNameChangedCanarySettings() {
        let with = MachineWorld.target(1, endpoint: true, rolloutExtra: Self.twoSteps, commit: 1).spec
        let without = MachineWorld.target(1, endpoint: true, commit: 1).spec
        #expect(Planner.flatten(with)["rollout.canary.steps"] == "20%/30s 50%/30s")
        #expect(Planner.flatten(with)["rollout.analysis.maxErrorRatio"] == "0.05")
        #expect(Planner.flatten(without)["rollout.canary.steps"] == nil)
    }

    @Test func aSlowVersionFailsMaxResponseTime() {
        let analysis = CanaryAnalysis(maxErrorRatio: 0.05, maxResponseTimeMillis: 100, minRequests: 1)
        let m = CanaryMeasurement(requests: 50, responses5xx: 0, connectionErrors: 0, responseTimeMillis: 250, seconds: 10)
        #expect(DeploymentMachine.judge(m, analysis) == ["response time 250 ms > maxResponseTimeMillis 100"])
    }
}
