import Foundation
import MooringSupervisor
import MooringTesting
import Testing

/// Issue 13, item 1: replica logs are private and a log path is never followed.
@Suite struct LogFileSafetyTests {
    @Test func logsArePrivate() async throws {
        try await withTestRun { run in
            let id = ReplicaID(deployment: "quiet", replica: 0, generation: "g1")
            _ = try await run.supervisor.start(id, spec: run.spec(["sh", "-c", "echo hello; sleep 300"], log: "quiet/0.log"))
            let log = run.directory.appending("logs/quiet/0.log")
            #expect(await waitUntil { (try? String(contentsOf: log, encoding: .utf8))?.contains("hello") == true })
            #expect(try mode(log) == 0o600)
            #expect(try mode(log.deletingLastPathComponent()) == 0o700)
            await run.supervisor.stop(id)
        }
    }

    /// Before, a symlink planted in place of a log made a root supervisor append the
    /// model's output to any file the link named.
    @Test func aSymlinkInPlaceOfTheLogIsRefusedAndNothingStarts() async throws {
        try await withTestRun { run in
            let victim = try run.directory.write("victim.conf", "precious\n")
            try FileManager.default.createDirectory(at: run.directory.appending("logs/evil"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: run.directory.appending("logs/evil/0.log").path,
                                                       withDestinationPath: victim.path)
            let id = ReplicaID(deployment: "evil", replica: 0, generation: "g1")
            let error = await #expect(throws: SupervisorError.self) {
                _ = try await run.supervisor.start(id, spec: run.spec(["sh", "-c", "echo appended"], log: "evil/0.log"))
            }
            #expect(error?.code == .logFileFailed)
            #expect(error?.message.contains("symbolic link") == true, "\(String(describing: error))")
            #expect(await run.supervisor.snapshot(id) == nil)
            #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        }
    }

    @Test func aLogDirectoryThatIsASymlinkIsRefused() async throws {
        try await withTestRun { run in
            let elsewhere = run.directory.appending("elsewhere")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: run.directory.appending("logs"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: run.directory.appending("logs/evil").path,
                                                       withDestinationPath: elsewhere.path)
            let id = ReplicaID(deployment: "evil", replica: 0, generation: "g1")
            let error = await #expect(throws: SupervisorError.self) {
                _ = try await run.supervisor.start(id, spec: run.spec(["sh", "-c", "echo appended"], log: "evil/0.log"))
            }
            #expect(error?.code == .logFileFailed)
            #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        }
    }

    private func mode(_ url: URL) throws -> Int {
        let value = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        return try #require(value) & 0o7777
    }
}
