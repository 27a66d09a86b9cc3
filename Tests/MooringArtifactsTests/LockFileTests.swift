import Foundation
@testable import MooringArtifacts
import MooringTesting
import Testing

/// The per-URI lock files under `artifacts/locks/`: the collector removes the ones no
/// download holds, and a download whose lock file was removed under it locks the new one,
/// so one URI is still downloaded once at a time.
struct LockFileTests {
    @Test func theCollectorRemovesLocksNobodyHoldsAndKeepsHeldOnes() throws {
        let directory = try TemporaryDirectory(prefix: "mooring-locks")
        defer { directory.remove() }
        let cache = ArtifactCache(root: directory.appending("artifacts"))
        try cache.prepare()
        let held = try FileLock(cache.locks.appendingPathComponent("held").path)
        #expect(try held.tryLock())
        let released = try FileLock(cache.locks.appendingPathComponent("released").path)
        #expect(try released.tryLock())
        released.unlock()

        let outcome = ArtifactCollector(cache: cache, budgetBytes: nil).collect(keeping: [])
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        let left = try FileManager.default.contentsOfDirectory(atPath: cache.locks.path)
        #expect(left == ["held"], "a held lock was removed, or a free one kept: \(left)")
        held.unlock()
    }

    /// A download opened its lock file, the collector removed it before the download locked
    /// it: the download's lock is on the file at the path, which a second download sees.
    @Test func aLockWhoseFileWasRemovedLocksThePathsNewFile() throws {
        let directory = try TemporaryDirectory(prefix: "mooring-locks")
        defer { directory.remove() }
        let path = directory.appending("key").path
        let first = try FileLock(path)
        #expect(unlink(path) == 0)  // what the collector does to a lock nobody holds yet
        #expect(try first.tryLock())
        #expect(FileManager.default.fileExists(atPath: path), "the lock is on a file no one else can find")
        let second = try FileLock(path)
        #expect(try !second.tryLock(), "two downloads of one URI hold the lock at once")
        first.unlock()
        #expect(try second.tryLock())
        second.unlock()
    }
}
