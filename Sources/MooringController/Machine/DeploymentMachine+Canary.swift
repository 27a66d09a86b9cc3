import Foundation
import MooringManifests
import MooringStatus

/// The Canary phase (`spec.rollout.canary`): after the health gate (and model tests) the
/// new generation takes a growing share of the stable endpoint's requests, step by step,
/// while the old one keeps serving the rest. At each step the machine asks for HAProxy's
/// counters of the new generation's servers (`.measureCanary`, read once HAProxy carries
/// the step's weights; the first step's pause counts from that reading) when the step begins and
/// again once its pause is over, hears them back (`.canaryStats`), and judges the
/// difference against `spec.rollout.analysis`. Passing the last step promotes the new
/// generation; a failed step fails the rollout like a missed deadline — rolled back (the
/// new servers are drained at once), quarantined, the message naming the numbers.
/// Nothing here does I/O or reads a clock.
extension DeploymentMachine {
    /// How long after an inconclusive reading (or a failed one) the next is taken.
    static let canaryRecheckSeconds: TimeInterval = 5

    /// Whether `rollout` goes through canary steps: a Surge that starts new processes (at
    /// least one) beside a serving generation, behind a stable endpoint, with steps in its spec.
    func needsCanary(_ rollout: RolloutState) -> Bool {
        guard rollout.kind == .surge, rollout.target.spec.replicas > 0,
              let canary = rollout.target.spec.rollout.canary, !canary.steps.isEmpty,
              rollout.target.spec.endpoint != nil, applied != nil,
              let serving = servingGeneration, serving != rollout.generation else { return false }
        return replicas.keys.contains { $0.generation == serving }
    }

    /// The new generation's share of requests at the stable endpoint while a canary
    /// rollout has not promoted: 0 until the first step (and after a failure), the step's
    /// weight during it. Nil when no canary is under way (every server weighs the same).
    var canaryShare: (generation: String, percent: Int)? {
        guard let rollout, !rollout.promoted, needsCanary(rollout) else { return nil }
        switch rollout.phase {
        case .preparing, .starting, .gating, .testing, .rollingBack, .failed:
            return (rollout.generation, 0)
        case .canary:
            guard let progress = rollout.canary, let steps = rollout.target.spec.rollout.canary?.steps,
                  steps.indices.contains(progress.step) else { return (rollout.generation, 0) }
            return (rollout.generation, steps[progress.step].weight)
        case .promoting, .draining, .done:
            return nil
        }
    }

    /// One pass of the Canary phase.
    mutating func runCanary(_ rollout: inout RolloutState, now: Date, into actions: inout [DeploymentAction]) {
        let spec = rollout.target.spec
        guard needsCanary(rollout), let canary = spec.rollout.canary else {
            rollout.phase = .promoting
            self.rollout = rollout
            return
        }
        if (0..<spec.replicas).contains(where: { replicas[ReplicaKey(generation: rollout.generation, index: $0)] == nil }) {
            // A replica vanished (found gone after a controller restart): start it again;
            // the gate brings the rollout back here, at the step it was at.
            rollout.phase = .starting
            self.rollout = rollout
            return
        }
        if let broken = brokenReplica(rollout) {
            let progress = rollout.canary
            self.rollout = rollout
            let at = progress.map { "canary step \($0.step + 1) (\(canary.steps[min($0.step, canary.steps.count - 1)].weight)%): " } ?? ""
            fail("\(at)\(broken)", now: now, into: &actions)
            return
        }
        var progress: CanaryProgress
        if let current = rollout.canary {
            progress = current
        } else {
            progress = beginStep(0, of: &rollout, canary: canary, now: now, into: &actions)
        }
        let step = canary.steps[min(progress.step, canary.steps.count - 1)]
        let label = Self.canaryLabel(progress.step, canary)
        let pauseEnd = progress.startedAt.addingTimeInterval(TimeInterval(step.pauseSeconds))
        let mayMeasure = progress.measureRequested != true && (progress.nextMeasureAt.map { $0 <= now } ?? true)
        let readFailed = rollout.detail?.hasPrefix("\(label): cannot read") == true
        if progress.baseline == nil {
            if mayMeasure { request(&progress, of: rollout, into: &actions) }
            if !readFailed { rollout.detail = "\(label): reading HAProxy's counters for the new replicas" }
        } else if now < pauseEnd {
            rollout.detail = "\(label): \(Int(now.timeIntervalSince(progress.startedAt)))s of \(step.pauseSeconds)s"
        } else {
            if mayMeasure { request(&progress, of: rollout, into: &actions) }
            if let last = progress.lastMeasurement {
                rollout.detail = "\(label): \(last.requests) of minRequests \(canary.analysis.minRequests) requests so far; waiting for more"
            } else if !readFailed {
                rollout.detail = "\(label): judging the step's numbers"
            }
        }
        rollout.canary = progress
        self.rollout = rollout
        if now >= rollout.deadline {
            let why: String
            if let last = progress.lastMeasurement {
                why = "\(last.requests) request\(last.requests == 1 ? "" : "s") to the new replicas in \(last.seconds)s, fewer than minRequests \(canary.analysis.minRequests) — not enough traffic to judge within progressDeadlineSeconds (\(spec.rollout.progressDeadlineSeconds)s) after the pause"
            } else {
                why = "HAProxy's numbers for the new replicas could not be read within progressDeadlineSeconds (\(spec.rollout.progressDeadlineSeconds)s) after the pause"
            }
            fail("canary step \(progress.step + 1) (\(step.weight)%): \(why)", now: now, into: &actions)
        }
    }

    /// The outcome of `.measureCanary`: ignored unless it is for the canary still waiting.
    mutating func receiveCanaryStats(generation: String, servers: [String: ServerCounters], failure: String?,
                                     now: Date, into actions: inout [DeploymentAction]) {
        guard var rollout, rollout.phase == .canary, rollout.generation == generation,
              var progress = rollout.canary, progress.measureRequested == true,
              let canary = rollout.target.spec.rollout.canary, canary.steps.indices.contains(progress.step) else { return }
        progress.measureRequested = nil
        let label = Self.canaryLabel(progress.step, canary)
        if let failure {
            progress.nextMeasureAt = now.addingTimeInterval(Self.canaryRecheckSeconds)
            rollout.detail = "\(label): cannot read HAProxy's numbers (\(failure)); trying again in \(Int(Self.canaryRecheckSeconds))s"
            rollout.canary = progress
            self.rollout = rollout
            return
        }
        guard let baseline = progress.baseline else {
            // The data plane read these once HAProxy carried the step's weights: the step's
            // pause, and its deadline, count from here.
            progress.baseline = servers
            progress.startedAt = now
            let pause = canary.steps[progress.step].pauseSeconds
            rollout.deadline = now.addingTimeInterval(TimeInterval(pause + rollout.target.spec.rollout.progressDeadlineSeconds))
            rollout.detail = nil
            rollout.canary = progress
            self.rollout = rollout
            return
        }
        let step = canary.steps[progress.step]
        let measurement = CanaryMeasurement.between(baseline, servers, seconds: Int(now.timeIntervalSince(progress.startedAt).rounded()))
        if measurement.requests < canary.analysis.minRequests {
            // Inconclusive: the step holds its weight and is read again, until the deadline.
            progress.lastMeasurement = measurement
            progress.nextMeasureAt = now.addingTimeInterval(Self.canaryRecheckSeconds)
            rollout.canary = progress
            self.rollout = rollout
            return
        }
        let problems = Self.judge(measurement, canary.analysis)
        let numbers = Self.describe(measurement)
        let result = CanaryStepResult(step: progress.step + 1, weight: step.weight, measurement: measurement,
                                      passed: problems.isEmpty, verdict: problems.isEmpty ? "passed" : problems.joined(separator: "; "))
        actions.append(.history(.canaryStep(result)))
        if !problems.isEmpty {
            rollout.canary = progress
            self.rollout = rollout
            fail("canary step \(progress.step + 1) (\(step.weight)%): \(problems.joined(separator: "; ")) over \(measurement.requests) requests (\(numbers))",
                 now: now, into: &actions)
            return
        }
        actions.append(.event(.normal, .rolloutPhase,
                              "revision \(short(rollout.target.revision)): canary step \(progress.step + 1)/\(canary.steps.count) (\(step.weight)%) passed: \(numbers) over \(measurement.requests) requests in \(measurement.seconds)s"))
        if progress.step + 1 < canary.steps.count {
            var next = beginStep(progress.step + 1, of: &rollout, canary: canary, now: now, into: &actions)
            // The end of one step is the start of the next: its counters are the baseline.
            next.baseline = servers
            rollout.canary = next
            rollout.detail = nil
        } else {
            rollout.canary = progress
            rollout.phase = .promoting
            rollout.detail = nil
        }
        self.rollout = rollout
    }

    /// What breaks a threshold, in words (empty: the step passed).
    static func judge(_ measurement: CanaryMeasurement, _ analysis: CanaryAnalysis) -> [String] {
        var problems: [String] = []
        if measurement.errorRatio > analysis.maxErrorRatio {
            problems.append("error ratio \(ratio(measurement.errorRatio)) > maxErrorRatio \(ratio(analysis.maxErrorRatio))")
        }
        if let limit = analysis.maxResponseTimeMillis, let time = measurement.responseTimeMillis, time > limit {
            problems.append("response time \(time) ms > maxResponseTimeMillis \(limit)")
        }
        return problems
    }

    /// A step's numbers in words: `31 5xx, 0 connection errors, response time 12 ms`.
    static func describe(_ measurement: CanaryMeasurement) -> String {
        var text = "error ratio \(ratio(measurement.errorRatio)): \(measurement.responses5xx) 5xx, \(measurement.connectionErrors) connection error\(measurement.connectionErrors == 1 ? "" : "s")"
        if let time = measurement.responseTimeMillis { text += ", response time \(time) ms" }
        return text
    }

    /// A ratio with two decimals (`0.31`).
    static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }

    /// `canary 20% (step 1/2)`, for status.
    static func canaryLabel(_ step: Int, _ canary: CanaryRollout) -> String {
        let index = min(step, canary.steps.count - 1)
        return "canary \(canary.steps[index].weight)% (step \(index + 1)/\(canary.steps.count))"
    }

    /// When the Canary phase wants to be woken: the end of the pause or the next reading.
    func canaryWake(_ rollout: RolloutState) -> Date? {
        guard rollout.phase == .canary, let progress = rollout.canary, progress.measureRequested != true,
              let canary = rollout.target.spec.rollout.canary, canary.steps.indices.contains(progress.step) else { return nil }
        var wake = progress.nextMeasureAt ?? .distantPast
        if progress.baseline != nil {
            wake = max(wake, progress.startedAt.addingTimeInterval(TimeInterval(canary.steps[progress.step].pauseSeconds)))
        }
        return wake
    }

    private mutating func beginStep(_ index: Int, of rollout: inout RolloutState, canary: CanaryRollout, now: Date,
                                    into actions: inout [DeploymentAction]) -> CanaryProgress {
        let step = canary.steps[index]
        // Each step gets the whole progress deadline after its pause to gather enough requests.
        rollout.deadline = now.addingTimeInterval(TimeInterval(step.pauseSeconds + rollout.target.spec.rollout.progressDeadlineSeconds))
        actions.append(.event(.normal, .rolloutPhase,
                              "revision \(short(rollout.target.revision)): canary step \(index + 1)/\(canary.steps.count): \(step.weight)% of requests to the new replicas for \(step.pauseSeconds)s"))
        return CanaryProgress(step: index, startedAt: now)
    }

    private func request(_ progress: inout CanaryProgress, of rollout: RolloutState, into actions: inout [DeploymentAction]) {
        progress.measureRequested = true
        progress.nextMeasureAt = nil
        actions.append(.measureCanary(generation: rollout.generation))
    }

    /// A new replica that will not serve again by itself: it fails the canary.
    private func brokenReplica(_ rollout: RolloutState) -> String? {
        for index in 0..<rollout.target.spec.replicas {
            guard let slot = replicas[ReplicaKey(generation: rollout.generation, index: index)] else { continue }
            switch slot.phase {
            case .crashLoop:
                return "replica \(index) is crash-looping (\(slot.lastExit?.description ?? "exit unknown"))\(slot.message.map { ": \($0)" } ?? "")"
            case .exited:
                return "replica \(index) exited (\(slot.lastExit?.description ?? "exit unknown")) and its restart policy does not restart it"
            default:
                continue
            }
        }
        return nil
    }
}
