import Foundation
import MooringTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mooring logs` reads the replicas' log files — one per replica and generation, every
/// line timestamped: it works with the controller down, `--previous` prints the process
/// before the last restart (or the replica a rollout replaced), `-f` follows, `--tail` and
/// `--replica` choose what (RetryAndLogsTests covers `--replica` and `--tail` on two replicas).
@Suite(.timeLimit(.minutes(5)))
struct LogsTests {
    @Test func previousPrintsTheProcessBeforeTheRestartEvenWithTheControllerDown() async throws {
        try await ControllerHarness.with(name: "logs-previous") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let generation = try #require(try await servingGeneration(h))
            let log = h.stateDirectory.appendingPathComponent("logs/iris/\(generation)/0.log")
            func startLines() -> Int {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").filter { isStartLine($0) }.count
            }
            #expect(startLines() == 1)
            // Every line carries a timestamp, the server's own output too.
            let written = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            #expect(written.count > 1 && written.allSatisfy(isTimestamped), "\(written)")

            // Before any restart there is no previous process.
            let none = try await h.mooring(["logs", "iris", "--previous"])
            #expect(none.status == 1, "\(none.output)")
            #expect(none.stderr.contains("has no previous process"), "\(none.stderr)")

            // The model server dies; the supervisor starts another, with its own start line.
            let pids = h.modelProcesses()
            #expect(!pids.isEmpty)
            for pid in pids { kill(pid, SIGKILL) }
            #expect(await waitUntil(timeout: .seconds(60)) { startLines() == 2 }, "\(h.controllerLog)")
            #expect(try await h.waitForStatus { _ in try await h.deployment("iris")?["health"] as? String == "Healthy" })

            let previous = try await h.mooring(["logs", "iris", "--previous"])
            #expect(previous.status == 0, "\(previous.output)")
            let lines = previous.stdout.split(separator: "\n")
            #expect(lines.first.map(isStartLine) == true, "\(previous.stdout)")
            #expect(lines.filter(isStartLine).count == 1, "\(previous.stdout)")
            #expect(previous.stdout.contains("/v2/health/ready"), "the first process answered probes: \(previous.stdout)")

            // Without --previous: the current (last) process, from its own start line on.
            let current = try await h.mooring(["logs", "iris", "--replica", "0"])
            #expect(current.status == 0, "\(current.output)")
            let currentStarts = current.stdout.split(separator: "\n").filter(isStartLine)
            #expect(currentStarts.count == 2)
            #expect(currentStarts.last.map { !previous.stdout.contains($0) } == true)

            // --tail limits --previous too; --previous cannot follow.
            let short = try await h.mooring(["logs", "iris", "--previous", "--tail", "1"])
            #expect(short.stdout.split(separator: "\n").count == 1, "\(short.stdout)")
            let both = try await h.mooring(["logs", "iris", "--previous", "-f"])
            #expect(both.status == 64, "\(both.output)")
            #expect(both.stderr.contains("cannot be followed"))

            // A rollout: v2's replica 0 writes a file of its own; its --previous is the v1
            // replica it replaced (v1's last process, from its own start line on).
            let lastV1Start = currentStarts.last.map(String.init)
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
            let second = try await h.commit("iris v2")
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            let v2 = try #require(try await servingGeneration(h))
            #expect(v2 != generation)
            #expect(startLines() == 2, "v2 never appends to v1's log")
            let v2Log = try await h.mooring(["logs", "iris"])
            #expect(v2Log.stdout.split(separator: "\n").filter(isStartLine).count == 1, "\(v2Log.stdout)")
            #expect(v2Log.stdout.contains(v2), "\(v2Log.stdout)")

            // The controller stops (and with it the models): the files still answer.
            let down = try await h.mooring(["down"])
            #expect(down.status == 0, "\(down.output)")
            #expect(await waitUntil { h.modelProcesses().isEmpty })
            let replaced = try await h.mooring(["logs", "iris", "--previous"])
            #expect(replaced.status == 0, "\(replaced.output)")
            #expect(replaced.stdout.split(separator: "\n").first.map(String.init) == lastV1Start, "\(replaced.stdout)")
        }
    }

    @Test func followPrintsWhatIsAppendedUntilInterrupted() async throws {
        try await ControllerHarness.with(name: "logs-follow") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            let follower = try ManagedProcess(
                executable: MooringBinary.path,
                arguments: ["logs", "iris", "-f", "--tail", "0", "--state-dir", h.stateDirectory.path],
                outputDirectory: h.directory.url, name: "logs-follow")
            defer { _ = follower.kill() }
            // A request made after it started shows up in what it prints.
            #expect(await waitUntil(timeout: .seconds(60)) {
                _ = try? await h.servedVersion("iris")
                return follower.stdout.contains("/v2/models/iris")
            }, "\(follower.stdout)\(follower.stderr)")
            #expect(!follower.hasExited)
            follower.send(SIGINT)
            #expect(await follower.waitForExit(timeout: .seconds(30)) != nil)
        }
    }
}

/// The generation serving `iris`, from `status -o json`.
private func servingGeneration(_ h: ControllerHarness) async throws -> String? {
    let replicas = try await h.deployment("iris")?["replicaDetails"] as? [[String: Any]] ?? []
    return replicas.first { $0["serving"] as? Bool == true }?["generation"] as? String
}

/// A line that starts with a UTC timestamp (`2026-11-23T19:42:04.125Z …`).
private func isTimestamped(_ line: Substring) -> Bool {
    line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z "#, options: .regularExpression) != nil
}

/// A line the supervisor wrote before starting a process (`2026-11-23T19:42:04.125Z mooring: starting iris/g/0 (python3)`).
private func isStartLine(_ line: Substring) -> Bool {
    line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z mooring: starting "#, options: .regularExpression) != nil
}
