import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the supervisor does with one replica's processes through its containment.
extension ProcessContainment {
    /// Makes what the mechanism needs in this process: a child subreaper and its reaper
    /// thread for the marker mechanism with `subreaper`. Returns a warning for the
    /// operator when that fails (orphans then go to init; the marker still works).
    func activate() -> String? {
        guard case .marker(subreaper: true) = mechanism else { return nil }
        return OrphanReaper.start() ? nil
            : "cannot make the supervisor a child subreaper (prctl: \(String(cString: strerror(errno)))); orphaned descendants go to init"
    }

    /// The environment entry every process of replica `id` carries (none for the
    /// process-group mechanism).
    func environment(for id: ReplicaID) -> [String: String] {
        if case .processGroup = mechanism { return [:] }
        return [Self.markerVariable: markerValue(for: id)]
    }

    /// Creates the cgroup of `id` and opens its `cgroup.procs` for the child to join
    /// (nil unless the mechanism is cgroup). The caller closes the descriptor.
    func openCgroup(for id: ReplicaID) throws -> Int32? {
        guard let directory = cgroupDirectory(for: id) else { return nil }
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw SupervisorError(.spawnFailed, "cannot create the cgroup \(directory) for replica \(id)",
                                  function: "mkdir", cause: SupervisorError.errno(errno))
        }
        let fd = open(directory + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SupervisorError(.spawnFailed, "cannot open \(directory)/cgroup.procs for replica \(id)",
                                  function: "open", cause: SupervisorError.errno(errno))
        }
        return fd
    }

    /// The live processes of replica `id` the mechanism knows of: the members of its
    /// cgroup, or every process carrying its marker. Empty for the process group.
    func members(of id: ReplicaID) -> [Int32] {
        switch mechanism {
        case .cgroup:
            guard let directory = cgroupDirectory(for: id) else { return [] }
            return CgroupHierarchy.processes(in: directory).filter { ProcStat.read(pid: $0).map { !$0.isZombie } ?? false }
        case .marker:
            return Self.processes(carrying: "\(Self.markerVariable)=\(markerValue(for: id))")
        case .processGroup:
            return []
        }
    }

    /// Sends `signal` to the replica's processes that left its process group `group`
    /// (the group itself is signalled by the caller, once).
    func signalEscaped(_ id: ReplicaID, _ signal: Int32, group: Int32) {
        for pid in members(of: id) where ProcStat.read(pid: pid)?.processGroup != group {
            _ = kill(pid, signal)
        }
    }

    /// SIGKILLs every process of the replica: the whole cgroup, or every process carrying
    /// the marker.
    func killAll(_ id: ReplicaID) {
        switch mechanism {
        case .cgroup:
            if let directory = cgroupDirectory(for: id) { CgroupHierarchy.kill(directory) }
        case .marker:
            for pid in members(of: id) { _ = kill(pid, SIGKILL) }
        case .processGroup:
            break
        }
    }

    /// After a stop: removes the replica's (empty) cgroup and reaps orphans this process
    /// inherited as a subreaper.
    func release(_ id: ReplicaID) {
        switch mechanism {
        case .cgroup:
            if let directory = cgroupDirectory(for: id) { CgroupHierarchy.remove(directory) }
        case .marker(subreaper: true):
            ChildRegistry.shared.reapOrphans()
        case .marker, .processGroup:
            break
        }
    }

    /// Every live process whose environment holds `entry` (`KEY=value`), other than this one.
    static func processes(carrying entry: String) -> [Int32] {
        let needle = Array(entry.utf8)
        let me = getpid()
        return ProcStat.allPids().filter { pid in
            guard pid != me, let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return data.split(separator: 0, omittingEmptySubsequences: true).contains { Array($0) == needle }
        }
    }

    /// For `mooring down`: SIGKILLs every process in every replica cgroup of `scope` and
    /// removes the cgroups, without creating anything. Returns how many cgroups held
    /// processes.
    public static func killAllCgroups(scope: String) async -> Int {
        var populated = 0
        for directory in CgroupHierarchy.existingScopes(named: scopeDirectoryName(scope)) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names {
                let replica = directory + "/" + name
                guard FileManager.default.fileExists(atPath: replica + "/cgroup.procs") else { continue }
                if !CgroupHierarchy.processes(in: replica).isEmpty {
                    populated += 1
                    CgroupHierarchy.kill(replica)
                }
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(5)
                while !CgroupHierarchy.remove(replica), clock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        return populated
    }
}
