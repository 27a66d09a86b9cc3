import Foundation
import MooringTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mooring sync` signals whatever pid holds the state directory's lock with SIGHUP. A
/// controller that holds the lock but has not yet trapped SIGHUP (it is still recovering)
/// must survive it, and a sync queued then is still answered.
@Suite(.timeLimit(.minutes(5)))
struct StartupSignalTests {
    @Test func sighupWhileStartingIsNotFatal() async throws {
        try await ControllerHarness.with(name: "sighup") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            let controller = try h.startController()

            // As soon as the lock is held (what `mooring sync` looks for), SIGHUP it — and
            // keep doing so until its API is up, so some arrive during recovery.
            let lockFile = h.stateDirectory.appendingPathComponent("lock")
            #expect(await waitUntil(timeout: .seconds(60), interval: .milliseconds(5)) {
                controller.hasExited || Self.isLocked(lockFile)
            })
            var sent = 0
            let apiFile = h.stateDirectory.appendingPathComponent("api")
            while !controller.hasExited, sent < 400, !FileManager.default.fileExists(atPath: apiFile.path) {
                controller.send(SIGHUP)
                sent += 1
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(sent > 0)
            #expect(!controller.hasExited, "SIGHUP during start-up stopped the controller: \(String(describing: controller.poll()))\n\(h.controllerLog)")

            // It starts serving, and `mooring sync` is answered.
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let sync = try await h.mooring(["sync"])
            #expect(sync.status == 0 && sync.stdout.contains("fetched "), "\(sync.output)")
            #expect(!controller.hasExited)
        }
    }

    /// Whether another process holds `url` with `flock` (the controller's state lock).
    static func isLocked(_ url: URL) -> Bool {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }
}
