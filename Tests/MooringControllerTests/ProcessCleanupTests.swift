import Foundation
import Logging
import MooringController
import MooringSupervisor
import MooringTesting
import Testing

/// `mooring down` stops what a replica left outside its process group, too (issue 13,
/// item 9): a daemon that called `setsid()` and cleared its environment is still in the
/// replica's cgroup.
@Suite struct ProcessCleanupTests {
    @Test func downAlsoStopsWhatAReplicaStartedOutsideItsGroup() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try StateDirectory.prepare(at: dir.appending("state"))
        let containment = ProcessContainment.detect(scope: layout.root.path, subreaper: false)
        defer { if case let .cgroup(directory) = containment.mechanism { rmdir(directory) } }
        let inCgroup: Bool
        if case .cgroup = containment.mechanism {
            inCgroup = true
        } else {
            inCgroup = false
            print("note: cgroup v2 is not writable here (\(containment.cgroupUnavailableReason ?? "?")); the daemon keeps its environment and `down` finds it by the state directory's marker")
        }
        var logger = Logger(label: "mooring.cleanup.test")
        logger.logLevel = .warning
        let supervisor = Supervisor(portRange: 27900...27919, logger: logger, containment: containment)
        let pidFile = dir.appending("daemon.pid").path
        let daemonCommand = inCgroup ? "exec env -i /bin/sleep 300" : "exec /bin/sleep 300"
        let id = ReplicaID(deployment: "iris", replica: 0, generation: "g1")
        let spec = ReplicaSpec(
            arguments: ["/bin/sh", "-c", "setsid /bin/sh -c 'echo $$ > \(pidFile); \(daemonCommand)' & wait"],
            environment: [OrphanScanner.markerVariable: layout.root.path],
            workingDirectory: dir.path, port: 27900, restart: .never, logFile: layout.logFile(deployment: "iris", replica: 0))
        let started = try await supervisor.start(id, spec: spec)
        let leader = try #require(started.identity)
        var daemon: ProcessIdentity?
        #expect(await waitUntil {
            let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
            daemon = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { ProcessIdentity.current(pid: $0) }
            return daemon != nil
        })
        let escaped = try #require(daemon)
        defer { if ProcessIdentity.current(pid: escaped.pid) == escaped { kill(escaped.pid, SIGKILL) } }
        #expect(escaped.processGroup != leader.processGroup)
        // The controller goes away; the models keep running until `mooring down`.
        await supervisor.release(id)
        await supervisor.shutdown()

        _ = try await ProcessCleanup.stopAll(layout: layout, grace: .seconds(1))

        var status: Int32 = 0
        _ = waitpid(leader.pid, &status, 0)  // ours: the released leader
        #expect(await waitUntil(timeout: .seconds(10)) { ProcessIdentity.current(pid: escaped.pid) != escaped || Self.isZombie(escaped.pid) },
                "the daemon \(escaped.pid) survived `mooring down`")
        if let cgroup = containment.cgroupDirectory(for: id) {
            #expect(!FileManager.default.fileExists(atPath: cgroup))
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return stat.contains(") Z ")
    }
}
