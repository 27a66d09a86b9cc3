import CSupervisorSupport
import Foundation

extension Supervisor {
    /// Resumes supervising a process a previous supervisor started, without restarting it.
    ///
    /// The identity is verified first: the pid must be alive (not a zombie) with the
    /// recorded start time and process group, checked again after a pidfd is opened so the
    /// pidfd is known to refer to that very process. A process that fails verification is
    /// reported with a `Gone` event and nil, and is never signalled. A verified process
    /// starts `running` and becomes `ready` once its probe passes; the startup timeout
    /// applies from the adoption.
    public func adopt(_ id: ReplicaID, spec: ReplicaSpec, identity: ProcessIdentity) async -> ReplicaSnapshot? {
        if let existing = replicas[id] {
            return existing.snapshot.identity == identity ? existing.snapshot : nil
        }
        let handle: ProcessHandle
        switch Self.verify(identity) {
        case let .success(verified):
            handle = verified
        case let .failure(reason):
            let gone = ReplicaSnapshot(
                id: id, spec: spec, identity: identity, state: .exited, restarts: 0, lastExit: nil,
                startedAt: nil, readySince: nil, message: reason.message)
            emit(id, "Gone", reason.message, snapshot: gone)
            return nil
        }
        allocatedPorts.formUnion(spec.allPorts)
        let snapshot = ReplicaSnapshot(
            id: id, spec: spec, identity: identity, state: .running, restarts: 0, lastExit: nil,
            startedAt: identity.startDate ?? Date(), readySince: nil, message: "adopted")
        replicas[id] = Replica(snapshot: snapshot, handle: handle, startedAtClock: clock.now())
        emit(id, "Adopted", "adopted \(identity)" + (handle.isChild ? "" : " (not our child: exit status will be unknown)"))
        let task = launch { await self.supervise(id) }
        update(id) { $0.task = task }
        return snapshot
    }

    struct VerificationFailure: Error {
        var message: String
    }

    /// Checks that `identity` is a live process with the recorded start time and group and
    /// opens a pidfd on it.
    static func verify(_ identity: ProcessIdentity) -> Result<ProcessHandle, VerificationFailure> {
        let pid = identity.pid
        func matches(_ stat: ProcStat?) -> VerificationFailure? {
            guard let stat else { return VerificationFailure(message: "\(identity) is gone: no such process") }
            if stat.isZombie { return VerificationFailure(message: "\(identity) is gone: it has exited") }
            if stat.startTime != identity.startTime {
                return VerificationFailure(message:
                    "\(identity) is gone: pid \(pid) now belongs to another process (start time \(stat.startTime)); not touching it")
            }
            if stat.processGroup != identity.processGroup {
                return VerificationFailure(message:
                    "\(identity) is gone: pid \(pid) is in process group \(stat.processGroup); not touching it")
            }
            return nil
        }
        if let failure = matches(ProcStat.read(pid: pid)) { return .failure(failure) }
        let fd = mooring_pidfd_open(pid)
        guard fd >= 0 else {
            return .failure(VerificationFailure(message: "\(identity) is gone: cannot open a pidfd (errno \(errno))"))
        }
        // The pidfd pins one process; re-check that it is still the one we verified.
        let again = ProcStat.read(pid: pid)
        if let failure = matches(again) {
            close(fd)
            return .failure(failure)
        }
        let isChild = again?.parent == getpid()
        return .success(ProcessHandle(identity: identity, pidfd: fd, isChild: isChild))
    }
}
