import Foundation
import MooringController
import MooringTesting
import Testing

/// One controller per state directory.
struct StateLockTests {
    @Test func aSecondHolderIsRefusedWithTheFirstOnesPid() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.appending("state/lock")
        let first = try StateLock.acquire(at: url)
        #expect(StateLock.holder(at: url) == getpid())
        do {
            _ = try StateLock.acquire(at: url)
            Issue.record("a second lock on the same state directory was granted")
        } catch let error as ControllerError {
            #expect(error.code == .locked)
            #expect(error.message.contains("pid \(getpid())"))
            #expect(error.message.contains(dir.appending("state").path))
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockGoesWithItsOwner() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.appending("lock")
        do {
            let lock = try StateLock.acquire(at: url)
            withExtendedLifetime(lock) {}
        }
        #expect(StateLock.holder(at: url) == nil)
        let again = try StateLock.acquire(at: url)
        withExtendedLifetime(again) {}
    }

    @Test func aKilledHolderLeavesNoStaleLock() async throws {
        // A real process takes the lock with flock(1), is SIGKILLed, and the lock is free.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.appending("lock")
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data("123\n".utf8)))
        let holder = try ManagedProcess(executable: "flock", arguments: ["-x", url.path, "sleep", "60"],
                                        outputDirectory: dir.url, name: "flock")
        defer { _ = holder.kill() }
        #expect(await waitUntil { StateLock.holder(at: url) != nil })
        _ = holder.kill()
        #expect(await waitUntil { StateLock.holder(at: url) == nil })
        let mine = try StateLock.acquire(at: url)
        withExtendedLifetime(mine) {}
    }
}
