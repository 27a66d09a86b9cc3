import Foundation

/// How one process run ended.
struct RunOutcome: Sendable {
    var status: ExitStatus
    /// It was stopped because it did not become healthy in time.
    var startupTimedOut: Bool
    /// The last failed probe, for a startup timeout.
    var detail: String
}

private enum WatchEvent: Sendable {
    case exited(ExitStatus?)
    case startupTimedOut(String)
    case probesEnded
}

extension Supervisor {
    /// Waits for the process to exit while probing it; stops it if it does not become
    /// healthy within the startup timeout. Nil when cancelled.
    func watch(_ id: ReplicaID, handle: ProcessHandle, spec: ReplicaSpec) async -> RunOutcome? {
        await withTaskGroup(of: WatchEvent.self) { group in
            group.addTask { .exited(await handle.waitForExit()) }
            group.addTask { await self.probeLoop(id, handle: handle, spec: spec) }
            while let event = await group.next() {
                switch event {
                case let .exited(status):
                    group.cancelAll()
                    return status.map { RunOutcome(status: $0, startupTimedOut: false, detail: "") }
                case let .startupTimedOut(detail):
                    emit(id, "StartupTimeout",
                         "not healthy within \(spec.probe.startupTimeout): \(detail); stopping it")
                    let status = await terminate(handle, id: id, grace: spec.gracePeriod)
                    group.cancelAll()
                    return status.map { RunOutcome(status: $0, startupTimedOut: true, detail: detail) }
                case .probesEnded:
                    continue
                }
            }
            return nil
        }
    }

    /// The startup phase (probes at growing intervals from `startupPeriod` up to `period`),
    /// then a probe every `period`, for as long as the process runs.
    private nonisolated func probeLoop(_ id: ReplicaID, handle: ProcessHandle, spec: ReplicaSpec) async -> WatchEvent {
        let policy = spec.probe
        if case .none = spec.health {
            await markReady(id, handle: handle, detail: "started (no health probe)")
            while true {
                do { try await clock.sleep(policy.period) } catch { return .probesEnded }
                LogFile.rotateInPlaceIfNeeded(spec.logFile, above: spec.logRotateBytes, keep: spec.logKeep)
            }
        }
        let environment = (spec.inheritsEnvironment ? ProcessInfo.processInfo.environment : [:]).merging(spec.environment) { $1 }
            .merging(["PORT": String(spec.port)]) { $1 }
        func probe() async -> ProbeResult {
            await Probe.run(spec.health, timeout: policy.timeout, environment: environment,
                            workingDirectory: spec.workingDirectory)
        }

        let deadline = clock.now() + policy.startupTimeout
        var successes = 0
        var lastFailure = "no probe answered yet"
        var interval: Duration?
        while true {
            if Task.isCancelled { return .probesEnded }
            let result = await probe()
            if result.success {
                successes += 1
                if successes >= policy.successThreshold { break }
            } else {
                successes = 0
                lastFailure = result.detail
            }
            let now = clock.now()
            if now >= deadline { return .startupTimedOut(lastFailure) }
            let next = policy.startupInterval(after: interval)
            interval = next
            do { try await clock.sleep(min(next, deadline - now)) } catch { return .probesEnded }
        }
        await markReady(id, handle: handle, detail: "healthy")

        var ready = true
        var failures = 0
        successes = 0
        while true {
            do { try await clock.sleep(policy.period) } catch { return .probesEnded }
            LogFile.rotateInPlaceIfNeeded(spec.logFile, above: spec.logRotateBytes, keep: spec.logKeep)
            let result = await probe()
            if Task.isCancelled { return .probesEnded }
            if result.success {
                failures = 0
                successes += 1
                if !ready && successes >= policy.successThreshold {
                    ready = true
                    await markReady(id, handle: handle, detail: "healthy again")
                }
            } else {
                successes = 0
                failures += 1
                if ready && failures >= policy.failureThreshold {
                    ready = false
                    await markUnready(id, handle: handle,
                                      detail: "\(failures) probes failed in a row: \(result.detail)")
                }
            }
        }
    }

    private func markReady(_ id: ReplicaID, handle: ProcessHandle, detail: String) {
        guard let replica = replicas[id], replica.handle === handle, !replica.stopping,
              handle.exitStatus == nil else { return }
        let now = clock.now()
        update(id) {
            if $0.readyAtClock == nil { $0.readyAtClock = now }
            $0.snapshot.state = .ready
            $0.snapshot.readySince = Date()
            $0.snapshot.message = nil
        }
        emit(id, "Ready", detail)
    }

    private func markUnready(_ id: ReplicaID, handle: ProcessHandle, detail: String) {
        guard let replica = replicas[id], replica.handle === handle, !replica.stopping,
              handle.exitStatus == nil else { return }
        update(id) {
            $0.snapshot.state = .running
            $0.snapshot.readySince = nil
            $0.snapshot.message = detail
        }
        emit(id, "Unready", detail)
    }
}
