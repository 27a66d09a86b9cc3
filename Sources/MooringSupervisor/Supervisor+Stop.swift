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

    /// Stops the replica and waits until it is gone: SIGTERM to its process group (and to
    /// any of its processes its containment knows outside the group), up to `gracePeriod`
    /// for them to exit, then SIGKILL to the group and to everything the containment holds
    /// (the replica's cgroup, or every process carrying its marker); the leader is reaped
    /// and the cgroup removed. The replica is then forgotten (the `Stopped` event carries
    /// its last snapshot) and its port released. Stopping a replica that is not supervised
    /// does nothing.
    public func stop(_ id: ReplicaID) async {
        guard let replica = replicas[id] else { return }
        if let running = replica.stopTask {
            await running.value
            return
        }
        let task = launch { await self.performStop(id) }
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
            status = await terminate(handle, id: id, grace: current.snapshot.spec.gracePeriod)
            handle.close()
        } else {
            // Exited already (waiting to restart, or not restarted): descendants it left
            // outside its group may still run.
            await killContained(id)
        }
        guard var final = replicas.removeValue(forKey: id) else { return }
        allocatedPorts.subtract(final.snapshot.spec.allPorts)
        final.snapshot.state = .exited
        final.snapshot.identity = nil
        final.snapshot.readySince = nil
        if let status { final.snapshot.lastExit = status }
        final.snapshot.message = status.map { "stopped (\($0))" } ?? "stopped"
        emit(id, "Stopped", final.snapshot.message ?? "stopped", snapshot: final.snapshot)
    }

    /// SIGTERM to the group (and to the replica's processes outside it), wait for the
    /// leader (pidfd) and then the rest until `grace` has passed, SIGKILL to the group and
    /// to everything the containment holds, wait for the leader. Returns its exit status
    /// (nil if this task was cancelled first).
    func terminate(_ handle: ProcessHandle, id: ReplicaID, grace: Duration) async -> ExitStatus? {
        let group = handle.identity.processGroup
        let containment = self.containment
        if let status = handle.exitStatus {
            killStragglers(of: handle.identity, id: id)
            await waitUntilGone(id, group: group)
            return status
        }
        handle.signalGroup(SIGTERM)
        containment.signalEscaped(id, SIGTERM, group: group)
        let wallClock = ContinuousClock()
        let graceEnds = wallClock.now + grace
        if await waitForExit(handle, within: grace) {
            // The leader is gone; its children have no pidfd of ours. They got the same
            // SIGTERM: give them what is left of the grace period — the group through the
            // shared watcher (no `/proc` scan of our own), the processes the containment
            // holds outside it checked every 50 ms.
            _ = await GroupWatcher.shared.waitUntilEmpty(group, deadline: graceEnds)
            while !Task.isCancelled, wallClock.now < graceEnds, !containment.members(of: id).isEmpty {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        handle.signalGroup(SIGKILL)
        containment.killAll(id)
        let status = await handle.waitForExit()
        await waitUntilGone(id, group: group)
        return status
    }

    /// SIGKILLs everything the containment holds of a replica whose leader is gone, and
    /// waits for it (bounded).
    private func killContained(_ id: ReplicaID) async {
        containment.killAll(id)
        await waitUntilGone(id, group: nil)
    }

    /// SIGKILLed processes take a moment to finish dying; returns once they have (bounded,
    /// killing again what a racing fork started), so the port and every file of the replica
    /// are free when stop() returns; then removes the replica's cgroup and reaps orphans.
    /// The group is waited for through ``GroupWatcher`` (nothing to scan when
    /// `kill(-group, 0)` says it is empty; otherwise one `/proc` scan per 20 ms round shared
    /// by every stop in progress), so stopping N replicas never scans `/proc` N times a round.
    private func waitUntilGone(_ id: ReplicaID, group: Int32?) async {
        let containment = self.containment
        let wallClock = ContinuousClock()
        let killDeadline = wallClock.now + .seconds(5)
        if let group { _ = await GroupWatcher.shared.waitUntilEmpty(group, deadline: killDeadline) }
        while !Task.isCancelled, wallClock.now < killDeadline, !containment.members(of: id).isEmpty {
            containment.killAll(id)
            try? await Task.sleep(for: .milliseconds(20))
        }
        containment.release(id)
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
