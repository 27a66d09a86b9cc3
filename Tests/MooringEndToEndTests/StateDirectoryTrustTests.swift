import Foundation
import MooringTesting
import Testing

/// Issue 13, item 1, as a user meets it: `mooring` refuses a state directory someone else
/// could have written, and the read-only commands still serve the directory's owner.
@Suite(.timeLimit(.minutes(5)))
struct StateDirectoryTrustTests {
    /// The attack: another local user pre-creates the state directory in a world-writable
    /// sticky directory (like /tmp), with `lock` pointing at a file of root's.
    @Test func theControllerRefusesAStateDirectoryAnotherUserPrepared() async throws {
        try await ControllerHarness.with(name: "planted") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
            try h.repo.commitAll("deploy iris")
            let victim = try h.directory.write("victim.conf", "precious\n")
            let shared = h.directory.appending("shared")
            try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: shared.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: h.directory.path)
            let state = shared.appendingPathComponent("state")
            let expected: String
            if Unprivileged.isAvailable {
                let planted = try Unprivileged.run("/bin/sh", ["-c", "mkdir \(state.path) && ln -s \(victim.path) \(state.path)/lock"])
                #expect(planted.status == 0, "\(planted.output)")
                expected = "\(state.path) belongs to uid \(Unprivileged.uid)"
            } else {
                Unprivileged.note("theControllerRefusesAStateDirectoryAnotherUserPrepared")
                try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
                try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: state.path)
                try FileManager.default.createSymbolicLink(atPath: state.appendingPathComponent("lock").path, withDestinationPath: victim.path)
                expected = "chmod 700 \(state.path)"
            }
            let run = try await MooringBinary.runAsync(
                ["run", "--repo", h.repo.directory.path, "--branch", "main", "--state-dir", state.path,
                 "--port-range", "\(h.portRange.lowerBound)-\(h.portRange.upperBound)"], in: h.repo.directory)
            #expect(run.status == 1, "\(run.output)")
            #expect(run.stderr.contains(expected), "\(run.stderr)")
            #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
            #expect(ControllerHarness.markedProcesses(stateDirectory: state).isEmpty, "nothing was started")
        }
    }

    @Test func readCommandsRefuseAnotherUsersStateAndServeItsOwner() async throws {
        try await ControllerHarness.with(name: "owner") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
            let first = try h.repo.commitAll("deploy iris")
            let controller = try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            controller.send(SIGTERM)
            #expect(await controller.waitForExit(timeout: .seconds(30)) == .exited(0), "\(h.controllerLog)")
            for command in [["history"], ["events"], ["logs", "iris"], ["status"]] {
                let result = try await h.mooring(command)
                #expect(result.status == 0, "the owner reads its state: \(command) \(result.output)")
            }

            guard Unprivileged.isAvailable else {
                Unprivileged.note("readCommandsRefuseAnotherUsersStateAndServeItsOwner")
                try FileManager.default.setAttributes([.posixPermissions: 0o770], ofItemAtPath: h.stateDirectory.path)
                for command in [["history"], ["events"], ["logs", "iris"]] {
                    let result = try await h.mooring(command)
                    #expect(result.status == 2, "\(command) \(result.output)")
                    #expect(result.stderr.contains("chmod 700 \(h.stateDirectory.path)"), "\(result.stderr)")
                }
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: h.stateDirectory.path)
                return
            }
            // Hand the state directory to another user: root no longer trusts it …
            try Unprivileged.give(h.stateDirectory)
            try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: h.directory.path)
            for command in [["history"], ["events"], ["logs", "iris"], ["status"]] {
                let result = try await h.mooring(command)
                #expect(result.status == 2, "\(command) \(result.output)")
                #expect(result.stderr.contains("belongs to uid \(Unprivileged.uid)"), "\(command): \(result.stderr)")
            }
            // … and its new owner reads it as before.
            for command in [["history"], ["events"], ["logs", "iris"], ["status"]] {
                let result = try Unprivileged.run(MooringBinary.path, command + ["--state-dir", h.stateDirectory.path])
                #expect(result.status == 0, "as uid \(Unprivileged.uid): \(command) \(result.output)")
            }
            let events = try Unprivileged.run(MooringBinary.path, ["events", "--state-dir", h.stateDirectory.path])
            #expect(events.stdout.contains("iris"))
            // Back to root, so the harness's `mooring down` may stop the model.
            let back = try runCommand("/bin/chown", ["-R", "0:0", h.stateDirectory.path])
            #expect(back.status == 0, "\(back.output)")
        }
    }
}
