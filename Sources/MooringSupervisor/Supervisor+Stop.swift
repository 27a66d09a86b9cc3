import Foundation

extension Supervisor {
    /// Stops every replica in `ids` at once and returns when all are stopped — what
    /// `stop(_:)` does for one, run concurrently: the grace periods overlap, and the waits
    /// for the groups' remaining members share one `/proc` scan per round.
    public func stop(_ ids: [ReplicaID]) async {
        await withTaskGroup(of: Void.self) { group in
            for id in Set(ids) {
                group.addTask { await self.stop(id) }
            }
        }
    }

    /// Stops the replica and waits until it is gone: SIGTERM to its process group, up to
    /// `gracePeriod` for the group to exit, then SIGKILL to the group; the leader is reaped.
    /// The replica is then forgotten (the `Stopped` event carries its last snapshot) and
    /// its port released. Stopping a replica that is not supervised does nothing.
    public func stop(_ id: ReplicaID) async {
        guard let replica = replicas[id] else { return }
        if let running = replica.stopTask {
            await running.value
            return
        }
        let task = Task { await self.performStop(id) }
        update(id) { $0.stopTask = task }
        await task.value
    }

    private func performStop(_ id: ReplicaID) async {
        guard let replica = replicas[id] else { return }
        let supervising = replica.task
        update(id) {
            $0.stopping = true
            $0.snapshot.state = .stopping
        }
        supervising?.cancel()
        emit(id, "Stopping", "stopping (grace period \(replica.snapshot.spec.gracePeriod))")
        await supervising?.value
        // We just awaited: the supervise loop has ended and no longer touches the handle.
        guard let current = replicas[id] else { return }
        var status: ExitStatus?
        if let handle = current.handle {
            status = await terminate(handle, grace: current.snapshot.spec.gracePeriod)
            handle.close()
        }
        guard var final = replicas.removeValue(forKey: id) else { return }
        allocatedPorts.remove(final.snapshot.spec.port)
        final.snapshot.state = .exited
        final.snapshot.identity = nil
        final.snapshot.readySince = nil
        if let status { final.snapshot.lastExit = status }
        final.snapshot.message = status.map { "stopped (\($0))" } ?? "stopped"
        emit(id, "Stopped", final.snapshot.message ?? "stopped", snapshot: final.snapshot)
    }

    /// SIGTERM to the group, wait for the leader (pidfd) and then the rest of the group
    /// until `grace` has passed, SIGKILL to the group unless it is already empty, wait for
    /// the leader. Returns its exit status (nil if this task was cancelled first).
    func terminate(_ handle: ProcessHandle, grace: Duration) async -> ExitStatus? {
        let group = handle.identity.processGroup
        if let status = handle.exitStatus {
            Self.killStragglers(of: handle.identity)
            return status
        }
        handle.signalGroup(SIGTERM)
        let wallClock = ContinuousClock()
        let graceEnds = wallClock.now + grace
        if await waitForExit(handle, within: grace) {
            // The leader is gone; its children have no pidfd of ours. They got the same
            // SIGTERM: give them what is left of the grace period.
            if await GroupWatcher.shared.waitUntilEmpty(group, deadline: graceEnds), let status = handle.exitStatus {
                return status
            }
        }
        handle.signalGroup(SIGKILL)
        let status = await handle.waitForExit()
        // SIGKILLed members take a moment to finish dying; return once they have (bounded),
        // so the port and every file of the replica are free when stop() returns.
        _ = await GroupWatcher.shared.waitUntilEmpty(group, deadline: wallClock.now + .seconds(5))
        return status
    }

    /// Whether the process exits within `limit` on the supervisor's clock.
    private func waitForExit(_ handle: ProcessHandle, within limit: Duration) async -> Bool {
        let clock = self.clock
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await handle.waitForExit() != nil }
            group.addTask {
                try? await clock.sleep(limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
