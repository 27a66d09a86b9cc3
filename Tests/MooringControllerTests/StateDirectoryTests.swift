import Foundation
import MooringController
import MooringTesting
import Testing

/// Issue 13, items 1 and 8: the state directory is trusted only when nobody else could
/// have written it, and nothing in it is followed, shared or left readable by others.
@Suite struct StateDirectoryTests {
    @Test func prepareMakesAPrivateStateDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try StateDirectory.prepare(at: dir.appending("deep/state"))
        #expect(try mode(layout.root) == 0o700)
        #expect(try mode(dir.appending("deep")) == 0o700)
        #expect(try mode(layout.logs) == 0o700)
        #expect(try mode(layout.revisions) == 0o700)
        let lock = try StateLock.acquire(at: layout.lock)
        #expect(try mode(layout.lock) == 0o600)
        withExtendedLifetime(lock) {}
        // A second prepare of the same directory (a restart) is fine and changes nothing.
        #expect(try StateDirectory.prepare(at: layout.root) == layout)
        #expect(try StateDirectory.verify(at: layout.root) == layout)
    }

    @Test func aStateDirectoryAnOlderVersionMadeWorldReadableIsMadePrivate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let root = dir.appending("state")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        #expect(FileManager.default.createFile(atPath: root.appendingPathComponent("lock").path, contents: Data("1\n".utf8),
                                               attributes: [.posixPermissions: 0o644]))
        // verify() (read-only commands) changes nothing …
        try StateDirectory.verify(at: root)
        #expect(try mode(root) == 0o755)
        // … prepare() and the lock make them private.
        let layout = try StateDirectory.prepare(at: root)
        let lock = try StateLock.acquire(at: layout.lock)
        #expect(try mode(root) == 0o700)
        #expect(try mode(layout.lock) == 0o600)
        withExtendedLifetime(lock) {}
    }

    @Test(arguments: [0o777, 0o770, 0o722, 0o702])
    func aStateDirectoryOthersCanWriteIsRefused(permissions: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let root = dir.appending("state")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: root.path)
        for check in [{ try StateDirectory.prepare(at: root) }, { try StateDirectory.verify(at: root) }] {
            let error = try #require(throws: ControllerError.self) { _ = try check() }
            #expect(error.code == .stateDirectory)
            #expect(error.message.contains(root.path))
            #expect(error.message.contains("chmod 700 \(root.path)"), "\(error.message)")
        }
        // Refused, not repaired: the mode is as it was.
        #expect(try mode(root) == permissions)
        #expect(throws: ControllerError.self) { _ = try StateLock.acquire(at: root.appendingPathComponent("lock")) }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("lock").path))
    }

    @Test func aParentOthersCanWriteIsRefusedUnlessSticky() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let shared = dir.appending("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: shared.path)
        let error = try #require(throws: ControllerError.self) { try StateDirectory.prepare(at: shared.appendingPathComponent("state")) }
        #expect(error.message.contains(shared.path))
        #expect(error.message.contains("chmod go-w \(shared.path)"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: shared.appendingPathComponent("state").path))
        // Sticky, like /tmp: only an entry's owner may rename or remove it.
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: shared.path)
        try StateDirectory.prepare(at: shared.appendingPathComponent("state"))
    }

    @Test func aSymlinkedLockIsNeverFollowed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try StateDirectory.prepare(at: dir.appending("state"))
        let victim = try dir.write("victim.conf", "precious\n")
        try FileManager.default.createSymbolicLink(atPath: layout.lock.path, withDestinationPath: victim.path)

        let error = try #require(throws: ControllerError.self) { _ = try StateLock.acquire(at: layout.lock) }
        #expect(error.message.contains("symbolic link"))
        #expect(error.message.contains("rm \(layout.lock.path)"))
        #expect(throws: ControllerError.self) { try StateDirectory.prepare(at: layout.root) }
        #expect(StateLock.holder(at: layout.lock) == nil)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
    }

    @Test func aHardLinkedLockIsNotWritten() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try StateDirectory.prepare(at: dir.appending("state"))
        let victim = try dir.write("victim.conf", "precious\n")
        try FileManager.default.linkItem(at: victim, to: layout.lock)
        let error = try #require(throws: ControllerError.self) { _ = try StateLock.acquire(at: layout.lock) }
        #expect(error.message.contains("2 names"), "\(error.message)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
    }

    /// The attack of item 1: another local user pre-creates the state directory (here in a
    /// sticky world-writable directory, like /tmp) with `lock` pointing at a file of root's.
    @Test func aStateDirectoryAnotherUserPreparedIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let victim = try dir.write("victim.conf", "precious\n")
        let shared = dir.appending("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: shared.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: dir.path)
        let root = shared.appendingPathComponent("state")
        guard Unprivileged.isAvailable else {
            Unprivileged.note("aStateDirectoryAnotherUserPreparedIsRefused")
            // Without a second user: a directory others can write stands in for theirs.
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: root.path)
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("lock").path, withDestinationPath: victim.path)
            #expect(throws: ControllerError.self) { try StateDirectory.prepare(at: root) }
            #expect(throws: ControllerError.self) { _ = try StateLock.acquire(at: root.appendingPathComponent("lock")) }
            #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
            return
        }
        let planted = try Unprivileged.run("/bin/sh", ["-c", "umask 022 && mkdir \(root.path) && ln -s \(victim.path) \(root.path)/lock"])
        #expect(planted.status == 0, "\(planted.output)")

        for attempt in [{ try StateDirectory.prepare(at: root) }, { try StateDirectory.verify(at: root) }] {
            let error = try #require(throws: ControllerError.self) { _ = try attempt() }
            #expect(error.code == .stateDirectory)
            #expect(error.message.contains("\(root.path) belongs to uid \(Unprivileged.uid)"), "\(error.message)")
            #expect(error.message.contains("chown"))
        }
        #expect(throws: ControllerError.self) { _ = try StateLock.acquire(at: root.appendingPathComponent("lock")) }
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
    }

    /// Item 8: before, anyone could open the world-readable lock and hold a shared `flock`
    /// on it, and every `mooring run` then failed with "another controller is running".
    @Test func anotherUserCannotHoldTheLock() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try StateDirectory.prepare(at: dir.appending("state"))
        do {
            let lock = try StateLock.acquire(at: layout.lock)
            withExtendedLifetime(lock) {}
        }
        #expect(try mode(layout.lock) == 0o600)
        #expect(try mode(layout.root) == 0o700)
        guard Unprivileged.isAvailable else {
            Unprivileged.note("anotherUserCannotHoldTheLock")
            return
        }
        // Even with the directories opened up for traversal, the lock's own mode stops them.
        try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: dir.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: layout.root.path)
        let attempt = try Unprivileged.run("/usr/bin/flock", ["--shared", "--nonblock", layout.lock.path, "/bin/true"])
        #expect(attempt.status != 0)
        #expect(attempt.stderr.contains("Permission denied"), "\(attempt.output)")

        // Control: the same step on a lock made as before the fix (0644) succeeds, so the
        // refusal above is the lock's doing, not setpriv's.
        let old = dir.appending("old-lock")
        #expect(FileManager.default.createFile(atPath: old.path, contents: Data(), attributes: [.posixPermissions: 0o644]))
        let control = try Unprivileged.run("/usr/bin/flock", ["--shared", "--nonblock", old.path, "/bin/true"])
        #expect(control.status == 0, "\(control.output)")

        // Someone holding the old kind of lock would have blocked start-up; now start-up works.
        let holder = try ManagedProcess(
            executable: "/usr/bin/setpriv",
            arguments: ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/flock", "--shared", layout.lock.path, "/bin/sleep", "60"],
            outputDirectory: dir.url, name: "holder")
        defer { holder.kill() }
        let exited = await holder.waitForExit(timeout: .seconds(30))
        #expect(exited != nil && exited != .exited(0), "the unprivileged flock should fail at once: \(holder.stderr)")
        let lock = try StateLock.acquire(at: layout.lock)
        withExtendedLifetime(lock) {}
    }

    @Test func readOnlyCommandsOfAnotherUsersStateDirectoryAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = try StateDirectory.prepare(at: dir.appending("state"))
        guard Unprivileged.isAvailable else {
            Unprivileged.note("readOnlyCommandsOfAnotherUsersStateDirectoryAreRefused")
            try FileManager.default.setAttributes([.posixPermissions: 0o770], ofItemAtPath: layout.root.path)
            #expect(throws: ControllerError.self) { try StateDirectory.verify(at: layout.root) }
            return
        }
        try Unprivileged.give(layout.root)
        let error = try #require(throws: ControllerError.self) { try StateDirectory.verify(at: layout.root) }
        #expect(error.message.contains("belongs to uid \(Unprivileged.uid)"))
        #expect(error.message.contains("Run Mooring as uid \(Unprivileged.uid)"))
        // Nothing was changed: it still belongs to them.
        let owner = try FileManager.default.attributesOfItem(atPath: layout.root.path)[.ownerAccountID] as? Int
        #expect(owner == Int(Unprivileged.uid))
    }

    /// An administrator's link (`/var/lib/mooring -> /data/mooring`) is fine; a link
    /// another user planted is not, wherever it points.
    @Test func aStateDirectoryReachedThroughALinkIsUsedOnlyWhenTheLinkIsTrusted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.appending("data/mooring")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let link = dir.appending("state")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: data.path)
        let layout = try StateDirectory.prepare(at: link)
        let lock = try StateLock.acquire(at: layout.lock)
        withExtendedLifetime(lock) {}
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("lock").path))
        #expect(try mode(data) == 0o700)
        try StateDirectory.verify(at: link)

        guard Unprivileged.isAvailable else {
            Unprivileged.note("aStateDirectoryReachedThroughALinkIsUsedOnlyWhenTheLinkIsTrusted")
            return
        }
        let shared = dir.appending("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: shared.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: dir.path)
        let planted = shared.appendingPathComponent("state")
        let made = try Unprivileged.run("/bin/ln", ["-s", data.path, planted.path])
        #expect(made.status == 0, "\(made.output)")
        for attempt in [{ try StateDirectory.prepare(at: planted) }, { try StateDirectory.verify(at: planted) }] {
            let error = try #require(throws: ControllerError.self) { _ = try attempt() }
            #expect(error.message.contains("symbolic link made by uid \(Unprivileged.uid)"), "\(error.message)")
        }
        #expect(throws: ControllerError.self) { _ = try StateLock.acquire(at: planted.appendingPathComponent("lock")) }
    }

    @Test func aMissingStateDirectorySaysSoToReaders() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let error = try #require(throws: ControllerError.self) { try StateDirectory.verify(at: dir.appending("nothing")) }
        #expect(error.message.contains("no state directory at \(dir.appending("nothing").path)"))
        #expect(!FileManager.default.fileExists(atPath: dir.appending("nothing").path))
    }

    private func mode(_ url: URL) throws -> Int {
        let value = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        return try #require(value) & 0o7777
    }
}
