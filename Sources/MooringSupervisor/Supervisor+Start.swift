import Foundation

extension Supervisor {
    /// Spawns the replica and starts watching and probing it.
    ///
    /// A replica that is already supervised is refused (`alreadySupervised`) unless it has
    /// exited for good, in which case it is started afresh (restart count from zero).
    ///
    /// Throws a `SupervisorError` (`executableNotFound`, `notExecutable`,
    /// `workingDirectoryMissing`, …) when the process cannot be started at all — that is a
    /// configuration error, never reported as a crash.
    public func start(_ id: ReplicaID, spec: ReplicaSpec) async throws -> ReplicaSnapshot {
        // A replica that exited for good (restart policy) may be started again in place.
        if let existing = replicas[id], existing.handle == nil, existing.snapshot.state == .exited,
           existing.stopTask == nil {
            existing.task?.cancel()
            replicas[id] = nil
        }
        guard replicas[id] == nil else {
            throw SupervisorError(.alreadySupervised, "replica \(id) is already supervised: stop or release it first")
        }
        let handle = try Spawner.spawn(spec, id: id, containment: containment, stamper: logStamper, warn: warn)
        allocatedPorts.formUnion(spec.allPorts)
        let snapshot = ReplicaSnapshot(
            id: id, spec: spec, identity: handle.identity, state: .starting, restarts: 0,
            lastExit: nil, startedAt: Date(), readySince: nil, message: nil)
        replicas[id] = Replica(snapshot: snapshot, handle: handle, startedAtClock: clock.now())
        emit(id, "Started", "started \(handle.identity) on port \(spec.port)")
        let task = launch { await self.supervise(id) }
        update(id) { $0.task = task }
        return snapshot
    }

    /// The life of one replica: watch the process, and on exit apply the restart policy
    /// with backoff, until it is stopped, released, or not to be restarted.
    func supervise(_ id: ReplicaID) async {
        while true {
            guard let replica = replicas[id], let handle = replica.handle, !replica.stopping,
                  !Task.isCancelled else { return }
            let spec = replica.snapshot.spec
            let outcome = await watch(id, handle: handle, spec: spec)
            // We just awaited: re-check that this replica and process are still ours to manage.
            guard let outcome, !Task.isCancelled, var current = replicas[id], !current.stopping,
                  current.handle === handle else { return }
            handle.close()
            killStragglers(of: handle.identity, id: id)

            let now = clock.now()
            let decision = current.tracker.recordExit(
                startedAt: current.startedAtClock, readyAt: current.readyAtClock, exitedAt: now, policy: spec.backoff)
            let exitText = outcome.startupTimedOut
                ? "did not become healthy within \(spec.probe.startupTimeout) (\(outcome.detail)); stopped with \(outcome.status)"
                : "exited with \(outcome.status)"
            current.handle = nil
            current.readyAtClock = nil
            current.snapshot.identity = nil
            current.snapshot.readySince = nil
            current.snapshot.lastExit = outcome.status
            // Exited for good only when the policy does not restart it; otherwise it waits
            // out a backoff (a controller gating on it must not take a restart for the end).
            let restarts = spec.restart.restarts(after: outcome.status, startupTimedOut: outcome.startupTimedOut)
            current.snapshot.state = restarts ? .backoff : .exited
            current.snapshot.message = exitText
            replicas[id] = current
            emit(id, "Exited", exitText)

            guard restarts else {
                update(id) { $0.snapshot.message = "\(exitText); restart policy \(spec.restart.rawValue): not restarting" }
                return
            }
            let delay = spec.backoff.delay(afterFailures: decision.failures, jitter: Double.random(in: 0...1))
            if decision.crashLoop {
                let tail = LogFile.tail(spec.logFile, lines: 10)
                let message = "crash loop: \(current.tracker.fastFailures) fast exits in a row, last \(exitText); "
                    + "restarting in \(delay.roundedDescription). Last log lines (\(spec.logFile.path)):\n" + tail.joined(separator: "\n")
                update(id) {
                    $0.snapshot.state = .crashLoop
                    $0.snapshot.message = message
                }
                emit(id, "CrashLoop", message)
            } else {
                let message = "\(exitText); restarting in \(delay.roundedDescription)"
                update(id) {
                    $0.snapshot.state = .backoff
                    $0.snapshot.message = message
                }
                emit(id, "BackOff", message)
            }
            do { try await clock.sleep(delay) } catch { return }
            guard let waited = replicas[id], !waited.stopping, !Task.isCancelled else { return }
            do {
                let next = try Spawner.spawn(waited.snapshot.spec, id: id, containment: containment, stamper: logStamper, warn: warn)
                update(id) {
                    $0.handle = next
                    $0.startedAtClock = clock.now()
                    $0.snapshot.identity = next.identity
                    $0.snapshot.restarts += 1
                    $0.snapshot.startedAt = Date()
                    $0.snapshot.state = .starting
                    if !decision.crashLoop { $0.snapshot.message = nil }
                }
                emit(id, "Started", "restarted as \(next.identity) (restart \(waited.snapshot.restarts + 1))")
            } catch {
                update(id) {
                    $0.snapshot.state = .exited
                    $0.snapshot.message = "cannot restart: \(error)"
                }
                emit(id, "Failed", "cannot restart: \(error)")
                return
            }
        }
    }

    /// SIGKILLs whatever is left of a replica after its leader exited on its own — its
    /// process group, and what its containment holds (its cgroup, or the processes carrying
    /// its marker, which may have left the group) — so a restart does not find the old
    /// replica's descendants still holding the port.
    nonisolated func killStragglers(of identity: ProcessIdentity, id: ReplicaID) {
        if !GroupWatcher.hasNoProcess(identity.processGroup) {
            _ = kill(-identity.processGroup, SIGKILL)
        }
        containment.killAll(id)
    }

    /// Logs a containment problem the operator should know of.
    nonisolated func warn(_ message: String) {
        logger.warning("\(message)")
    }
}

extension Duration {
    /// `1.9s`, `12.0s`: a delay as an operator reads it.
    var roundedDescription: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return String(format: "%.1fs", seconds)
    }
}
