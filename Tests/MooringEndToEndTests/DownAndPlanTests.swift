import Foundation
import MooringTesting
import Testing

/// `mooring down` goes through a running controller; `mooring plan --against` compares
/// two revisions of a fresh clone without any host state.
@Suite(.timeLimit(.minutes(5)))
struct DownAndPlanTests {
    @Test func downStopsEveryModelThroughTheRunningController() async throws {
        try await ControllerHarness.with(name: "down-api") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 2))
            let first = try h.repo.commitAll("deploy iris v1")
            let controller = try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let address = try await h.apiURL()
            #expect(h.modelProcesses().count == 2)

            let down = try await h.mooring(["down", "--grace", "5s"])
            #expect(down.status == 0, "\(down.output)")
            #expect(down.stdout.contains("asked controller pid \(controller.pid) at \(address)"))
            #expect(h.modelProcesses().isEmpty)
            #expect(await controller.waitForExit(timeout: .seconds(30)) == .exited(0), "\(h.controllerLog)")
            #expect(!FileManager.default.fileExists(atPath: h.stateDirectory.appendingPathComponent("api").path))
        }
    }

    /// `--listen /PATH`: the API on a private Unix socket; a socket left by a SIGKILLed
    /// controller is taken over by the next one, and commands reach it there.
    @Test func theAPIListensOnAUnixSocket() async throws {
        try await ControllerHarness.with(name: "down-unix") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            let socket = h.stateDirectory.deletingLastPathComponent().appendingPathComponent("api.sock").path
            let killed = try h.startController(arguments: ["--listen", socket])
            #expect(try await h.apiURL() == "unix:\(socket)", "\(h.controllerLog)")
            var info = stat()
            #expect(lstat(socket, &info) == 0 && info.st_mode & 0o777 == 0o600)
            _ = await h.killHard(killed)
            #expect(FileManager.default.fileExists(atPath: socket))  // stale, left behind

            // The next controller takes the address from its host configuration (api.listen).
            let config = h.stateDirectory.deletingLastPathComponent().appendingPathComponent("host.yaml")
            try "api:\n  listen: \"\(socket)\"\n".write(to: config, atomically: true, encoding: .utf8)
            let controller = try h.startController(arguments: ["--config", config.path], listenOnAnyPort: false)
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let down = try await h.mooring(["down", "--grace", "5s"])
            #expect(down.status == 0, "\(down.output)")
            #expect(down.stdout.contains("at unix:\(socket)"), "\(down.output)")
            #expect(h.modelProcesses().isEmpty)
            #expect(await controller.waitForExit(timeout: .seconds(30)) == .exited(0), "\(h.controllerLog)")
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test func downOnAStateDirectoryThatDoesNotExistIsAnError() async throws {
        let directory = try TemporaryDirectory(prefix: "mooring-down-missing")
        defer { directory.remove() }
        let missing = directory.appending("nothing-here")
        let result = try await MooringBinary.runAsync(["down", "--state-dir", missing.path], in: directory.url)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.stderr.contains("no state directory at \(missing.path)"))
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    @Test func planComparesABranchWithItsBaseOnAFreshClone() async throws {
        let directory = try TemporaryDirectory(prefix: "mooring-plan-against")
        defer { directory.remove() }
        let origin = try GitFixture(at: directory.appending("origin"))
        try origin.write("models/iris-v1.json", "{}")
        try origin.write("models/iris-v2.json", "{\"v\": 2}")
        try origin.write("manifests/runtime.yaml", ControllerHarness.runtimeManifest)
        try origin.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        _ = try origin.commitAll("iris v1")
        _ = try origin.git("checkout", "-q", "-b", "feature")
        try origin.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, replicas: 2))
        _ = try origin.commitAll("iris v2, two replicas")
        _ = try origin.git("checkout", "-q", "main")
        let clone = directory.appending("clone")
        _ = try GitFixture.git(["clone", "-q", origin.directory.path, clone.path], in: directory.url)

        let arguments = ["plan", "--repo", clone.path, "--ref", "feature", "--against", "main"]
        let text = try await MooringBinary.runAsync(arguments, in: clone)
        #expect(text.status == 0, "\(text.output)")
        #expect(text.stdout.contains("~ iris: "), "\(text.stdout)")
        #expect(text.stdout.contains("model.version"), "\(text.stdout)")
        #expect(text.stdout.contains("1 deployment would change"))

        let strict = try await MooringBinary.runAsync(arguments + ["--exit-code"], in: clone)
        #expect(strict.status == 1, "\(strict.output)")
        let same = try await MooringBinary.runAsync(["plan", "--repo", clone.path, "--ref", "main", "--against", "main", "--exit-code"], in: clone)
        #expect(same.status == 0, "\(same.output)")
        #expect(same.stdout.contains("nothing to do"))

        let markdown = try await MooringBinary.runAsync(arguments + ["--format", "markdown"], in: clone)
        #expect(markdown.status == 0)
        #expect(markdown.stdout.contains("| deployment | change | details |"))
        #expect(markdown.stdout.contains("| `iris` |"), "\(markdown.stdout)")

        // No host state was read or made.
        #expect(!FileManager.default.fileExists(atPath: clone.appendingPathComponent(".mooring").path))
    }
}
