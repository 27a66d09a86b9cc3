import Foundation
import Metrics
import MooringStatus
import MooringStore

/// The controller's Prometheus series (docs/metrics.md). Counters, histograms and the
/// source's gauges go through swift-metrics: whatever `MetricsSystem` the process
/// bootstrapped exports them (`mooring run` bootstraps swift-prometheus and serves
/// `/metrics`). The per-deployment gauges, whose labels change as a deployment moves, are
/// ``DeploymentGauges``, rendered at scrape time: one entry per deployment, replaced when
/// it changes, so a scrape shows only what is true now.
enum ControllerMetrics {
    /// The poll's handles, made at the first poll (after `mooring run` bootstrapped the
    /// metrics system) and kept: making a handle looks it up in the registry and checks its
    /// name, which was a large part of an unchanged poll.
    private static let fetchDuration = Metrics.Timer(label: "mooring_git_fetch_duration_seconds")
    private static let fetchFailures = Counter(label: "mooring_git_fetch_failures_total")
    private static let lastFetch = Gauge(label: "mooring_source_last_fetch_timestamp_seconds")
    private static let revisionRejected = Gauge(label: "mooring_source_revision_rejected")
    private static let reconcileDuration = Metrics.Timer(label: "mooring_reconcile_duration_seconds")

    /// One poll: its duration, a fetch failure (the counter) or success (the timestamp),
    /// and whether the tip is rejected.
    static func polled(seconds: Double, source: SourceRecord?) {
        fetchDuration.recordSeconds(seconds)
        guard let source else { return }
        if source.lastError?.hasPrefix("fetch failed") == true {
            fetchFailures.increment()
        } else {
            lastFetch.record(Date().timeIntervalSince1970)
        }
        revisionRejected.record(source.tipRejected ? 1 : 0)
    }

    /// One reconcile: a Git observation run through every machine, written and acted on.
    static func reconciled(seconds: Double) {
        reconcileDuration.recordSeconds(seconds)
    }

    /// Written transitions: finished rollouts, replica restarts, and each deployment's
    /// info and replica gauges as the transition left them.
    static func recorded(_ transitions: [Transition], at now: Date) {
        for transition in transitions {
            let name = transition.name
            for action in transition.actions {
                guard case let .history(.finish(outcome, _)) = action else { continue }
                Counter(label: "mooring_rollouts_total", dimensions: [("deployment", name), ("outcome", outcome.rawValue)]).increment()
                if let started = transition.before?.rollout?.startedAt {
                    Metrics.Timer(label: "mooring_rollout_duration_seconds", dimensions: [("deployment", name), ("outcome", outcome.rawValue)])
                        .recordSeconds(max(0, now.timeIntervalSince(started)))
                }
            }
            let before = transition.before?.replicas ?? [:]
            let restarts = transition.after.replicas.reduce(0) { total, entry in
                total + max(0, entry.value.restarts - (before[entry.key]?.restarts ?? entry.value.restarts))
            }
            if restarts > 0 {
                Counter(label: "mooring_replica_restarts_total", dimensions: [("deployment", name)]).increment(by: restarts)
            }
            if transition.deletes {
                DeploymentGauges.set(name, [])
            } else {
                DeploymentGauges.set(name, series(of: transition.after))
            }
        }
    }

    /// Every deployment's gauges as the machines stand (after recovery).
    static func snapshot(_ machines: [String: DeploymentMachine]) {
        for (name, machine) in machines { DeploymentGauges.set(name, series(of: machine)) }
    }

    /// The label values and value of each gauge for one machine.
    static func series(of machine: DeploymentMachine) -> [DeploymentGauges.Series] {
        typealias Label = DeploymentGauges.Series.Label
        let summary = StatusSummary.of(machine.facts)
        let serving = machine.applied ?? machine.desired
        let deployment = Label(name: "deployment", value: machine.name)
        var result = [DeploymentGauges.Series(
            family: "mooring_deployment_info",
            labels: [deployment, Label(name: "sync", value: summary.sync.rawValue),
                     Label(name: "health", value: summary.health.rawValue),
                     Label(name: "revision", value: serving.revision),
                     Label(name: "model_version", value: serving.spec.model?.version ?? "")],
            value: 1)]
        var phases: [ReplicaPhase: Int] = [:]
        for replica in machine.replicas.values { phases[replica.phase, default: 0] += 1 }
        for phase in ReplicaPhase.allCases {
            result.append(DeploymentGauges.Series(family: "mooring_deployment_replicas",
                                                  labels: [deployment, Label(name: "state", value: phase.rawValue)],
                                                  value: Double(phases[phase] ?? 0)))
        }
        if machine.rollout?.phase == .canary, let share = machine.canaryShare {
            result.append(DeploymentGauges.Series(family: "mooring_canary_weight_percent", labels: [deployment],
                                                  value: Double(share.percent)))
        }
        return result
    }
}

extension Controller {
    /// Runs one poll and records its metrics (duration, failure, last fetch, rejection).
    /// Returns the poll's number (counted from 1), what it found, and the source row after it.
    func measuredPoll(forced: Bool) async -> (Int, GitObservation?, SourceRecord?) {
        pollsStarted += 1
        lastPollStartedAt = Date()
        let number = pollsStarted
        let clock = ContinuousClock()
        let started = clock.now
        let observation = await poller.poll(forced: forced)
        let seconds = (clock.now - started).seconds
        // The poller is the source row's only writer while the loop runs: after a poll that
        // wrote nothing, the row read last time is still the row.
        let writes = await poller.writes
        let source: SourceRecord?
        if let cached = lastSourceRead, cached.writes == writes {
            source = cached.record
        } else {
            do {
                source = try await context.store.read { try $0.source() }
            } catch {
                source = nil
            }
            lastSourceRead = source.map { (writes, $0) }
        }
        ControllerMetrics.polled(seconds: seconds, source: source)
        return (number, observation, source)
    }

    /// Applies a Git observation and records how long the reconcile took.
    func measuredApply(_ observation: GitObservation) async {
        let clock = ContinuousClock()
        let started = clock.now
        await apply(observation)
        ControllerMetrics.reconciled(seconds: (clock.now - started).seconds)
    }
}
