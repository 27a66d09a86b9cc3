import Foundation
import MooringTesting
import Testing

/// A state store that can no longer be read stops no model, and the controller says why.
@Suite struct StoreFailureTests {
    /// Mid-run, `state.sqlite` is replaced by a file that is not a database (a restored
    /// backup gone wrong, a tool writing over it): reads of it fail. The controller must not
    /// act on what it can no longer trust — no rollout, no stop — and must say so.
    @Test func replacedStoreMidRunStopsNoModelAndSaysWhy() async throws {
        try await ControllerHarness.with(name: "store") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let serving = h.modelProcesses()
            #expect(serving.count == 1)

            let database = h.stateDirectory.appendingPathComponent("state.sqlite")
            try FileManager.default.moveItem(at: database, to: h.stateDirectory.appendingPathComponent("state.sqlite.moved"))
            try Data("this is not a database\n".utf8).write(to: database)

            // Git moves on; the controller must not roll it out on a store it cannot read.
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
            _ = try h.repo.commitAll("iris: v2")
            #expect(await waitUntil(timeout: .seconds(30)) { h.controllerLog.contains("was removed or replaced under the running controller") },
                    "\(h.controllerLog)")
            try await Task.sleep(for: .seconds(3))
            #expect(h.modelProcesses() == serving, "a model process was stopped or started")
            #expect(serving.allSatisfy(ControllerHarness.isAlive))

            let status = try await h.mooring(["status"])
            #expect(status.status == 2, "\(status.output)")
            #expect(status.stderr.contains("state.sqlite"), "\(status.stderr)")
        }
    }

    /// A controller started on a state file it cannot read stops nothing and exits with
    /// the reason; the models it would have adopted keep serving.
    @Test func unreadableStoreAtStartStopsNothing() async throws {
        try await ControllerHarness.with(name: "store-start") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            let controller = try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let serving = h.modelProcesses()
            #expect(await h.killHard(controller) != nil)

            let database = h.stateDirectory.appendingPathComponent("state.sqlite")
            try FileManager.default.moveItem(at: database, to: h.stateDirectory.appendingPathComponent("state.sqlite.moved"))
            try Data("this is not a database\n".utf8).write(to: database)
            let second = try h.startController()
            let exit = await second.waitForExit(timeout: .seconds(30))
            #expect(exit == .exited(1), "\(second.stderr)")
            #expect(second.stderr.contains("cannot open the state store"), "\(second.stderr)")
            #expect(h.modelProcesses() == serving)
            #expect(serving.allSatisfy(ControllerHarness.isAlive))
        }
    }
}
