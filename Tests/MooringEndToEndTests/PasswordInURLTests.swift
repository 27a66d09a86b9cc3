import Foundation
import MooringTesting
import Testing

/// Issue 13, item 10: a password given in the repository URL on the command line is
/// readable by every local user in /proc/<pid>/cmdline. Mooring cannot hide it there, so
/// it says so at start-up and points to --token-file.
@Suite(.timeLimit(.minutes(2)))
struct PasswordInURLTests {
    @Test func aPasswordInTheRepositoryURLIsWarnedAboutWithoutRepeatingIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let port = try freeLoopbackPort()  // nothing listens there
        let url = "https://alice:s3cret-pw@127.0.0.1:\(port)/models.git"
        let controller = try ManagedProcess(
            executable: MooringBinary.path,
            arguments: ["run", "--repo", url, "--branch", "main", "--state-dir", dir.appending("state").path, "--interval", "1s", "--listen", "127.0.0.1:0"],
            environment: ["MOORING_STATE_DIR": ""], outputDirectory: dir.url, name: "controller")
        defer { controller.kill() }
        #expect(await waitUntil { controller.stderr.contains("mooring: warning: the password in --repo") }, "\(controller.stderr)")
        // What the warning is about: anyone can read it from the process's command line.
        let cmdline = try #require(FileManager.default.contents(atPath: "/proc/\(controller.pid)/cmdline"))
        #expect(String(decoding: cmdline, as: UTF8.self).contains("s3cret-pw"))
        let warning = controller.stderr.split(separator: "\n").first { $0.contains("warning: the password") }.map(String.init) ?? ""
        #expect(warning.contains("/proc/\(controller.pid)/cmdline"), "\(warning)")
        #expect(warning.contains("--token-file PATH --username alice"), "\(warning)")
        #expect(warning.contains("https://***@127.0.0.1:\(port)/models.git"), "\(warning)")
        // The failed fetch is logged with the URL scrubbed; the password is never repeated.
        #expect(await waitUntil { controller.stderr.contains("fetch failed") }, "\(controller.stderr)")
        controller.kill()
        #expect(!controller.stderr.contains("s3cret-pw"), "the password must not be repeated: \(controller.stderr)")
    }

    @Test(arguments: [
        ["--repo", "https://alice@127.0.0.1:1/models.git"],
        ["--repo", "https://127.0.0.1:1/models.git", "--token-env", "MOORING_TEST_TOKEN"],
        ["--repo", "ssh://git@127.0.0.1:1/models.git"],
    ])
    func noWarningWithoutAPasswordInTheURL(_ source: [String]) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plan = try await MooringBinary.runAsync(["plan"] + source + ["--branch", "main", "--state-dir", dir.appending("state").path],
                                                    environment: ["MOORING_TEST_TOKEN": "t"])
        #expect(plan.status == 2, "the fetch cannot work: \(plan.output)")
        #expect(!plan.stderr.contains("warning: the password"), "\(plan.stderr)")
    }

    @Test func planWarnsToo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plan = try await MooringBinary.runAsync(["plan", "--repo", "https://bob:hunter2@127.0.0.1:1/models.git", "--branch", "main",
                                                     "--state-dir", dir.appending("state").path])
        #expect(plan.stderr.contains("mooring: warning: the password in --repo https://***@127.0.0.1:1/models.git"), "\(plan.stderr)")
        #expect(!plan.stderr.contains("hunter2"))
    }
}
