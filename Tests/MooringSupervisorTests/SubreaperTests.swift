import Foundation
import MooringSupervisor
import MooringTesting
import Testing

/// Issue 13, item 9, on a host without a writable cgroup v2 hierarchy: the supervising
/// process is a child subreaper, so the daemon a replica starts becomes its child (not
/// init's), and a stop kills it by its environment marker and reaps it. Being a subreaper
/// is process-wide, so the supervisor runs in a process of its own
/// (`mooring-supervisor-host`), not in the test runner.
@Suite struct SubreaperTests {
    @Test func aSubreaperSupervisorStopsAndReapsADescendantThatCalledSetsid() async throws {
        let dir = try TemporaryDirectory(prefix: "mooring-subreaper")
        defer { dir.remove() }
        let script = try dir.write("daemonizer.py", Fixtures.daemonizer).path
        let pidFile = dir.appending("daemon.pid").path
        let host = try ManagedProcess(
            executable: MooringBinary.supervisorHostPath,
            arguments: ["mooring-test-\(UUID().uuidString)", dir.appending("replica.log").path, dir.path, "--",
                        Fixtures.python, script, pidFile],
            outputDirectory: dir.url, name: "host")
        defer { host.kill() }
        let started = try #require(await host.waitForStdoutLine(containing: "started "), "\(host.stdout)\(host.stderr)")
        let replica = try #require(Int32(started.dropFirst("started ".count)))
        defer { _ = kill(replica, SIGKILL) }
        let daemon = try #require(await ContainmentTests.daemon(pidFile))
        defer { ContainmentTests.kill(daemon) }

        // The intermediate process exited: the daemon was inherited by the subreaper.
        #expect(await waitUntil(timeout: .seconds(10)) { Self.parent(of: daemon.pid) == host.pid },
                "the daemon's parent is \(Self.parent(of: daemon.pid) ?? -1), not the supervisor \(host.pid)")
        #expect(daemon.processGroup != replica)

        host.send(SIGTERM)
        #expect(await host.waitForStdoutLine(containing: "stopped") != nil, "\(host.stdout)\(host.stderr)")
        // Killed and reaped by the supervisor while it still runs: not even a zombie is left.
        #expect(await waitUntil(timeout: .seconds(10)) { !ProcessScan.exists(daemon) },
                "the daemon \(daemon.pid) is still there: \(Self.state(of: daemon.pid) ?? "?")")
        #expect(!host.hasExited)

        host.send(SIGINT)
        #expect(await host.waitForExit() == .exited(0), "\(host.stderr)")
    }

    /// Field 4 of `/proc/<pid>/stat`.
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Field 3 of `/proc/<pid>/stat`.
    static func state(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init)
    }
}
