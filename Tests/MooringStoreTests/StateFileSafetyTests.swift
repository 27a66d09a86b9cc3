import Foundation
import MooringStore
import MooringTesting
import Testing

/// Issue 13, item 1: the state file is private, and one that someone else could have
/// planted — a symlink, another user's file, a shared one — is never opened.
@Suite struct StateFileSafetyTests {
    @Test func theStateFileAndItsCompanionsArePrivate() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state/state.sqlite")
        let store = try StateStore(path: url)
        _ = try store.write { try $0.appendEvent(.normal, reason: "Test", message: "written") }
        #expect(try mode(url.deletingLastPathComponent()) == 0o700)
        for name in ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"] {
            let file = url.deletingLastPathComponent().appendingPathComponent(name)
            #expect(FileManager.default.fileExists(atPath: file.path), "\(name)")
            #expect(try mode(file) == 0o600, "\(name)")
        }
        withExtendedLifetime(store) {}
    }

    @Test func aStateFileAnOlderVersionLeftWorldReadableIsMadePrivate() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        do { _ = try StateStore(path: url) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        _ = try StateStore(readOnlyPath: url)
        #expect(try mode(url) == 0o644, "a reader changes nothing")
        _ = try StateStore(path: url)
        #expect(try mode(url) == 0o600)
    }

    @Test func aSymlinkedStateFileIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let victim = try dir.write("victim.db", "precious\n")
        let url = dir.appending("state.sqlite")
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: victim.path)
        for open in [{ try StateStore(path: url) }, { try StateStore(readOnlyPath: url) }] {
            let error = try #require(throws: StoreError.self) { _ = try open() }
            #expect(error.code == .untrustedFile)
            #expect(error.message.contains("\(url.path) is a symbolic link"), "\(error.message)")
        }
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appending("state.sqlite-wal").path))
    }

    @Test func aSymlinkedWriteAheadLogIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        do { _ = try StateStore(path: url) }
        let victim = try dir.write("victim.conf", "precious\n")
        if FileManager.default.fileExists(atPath: dir.appending("state.sqlite-wal").path) {
            try FileManager.default.removeItem(at: dir.appending("state.sqlite-wal"))
        }
        try FileManager.default.createSymbolicLink(atPath: dir.appending("state.sqlite-wal").path, withDestinationPath: victim.path)
        let error = try #require(throws: StoreError.self) { _ = try StateStore(path: url) }
        #expect(error.code == .untrustedFile)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
    }

    @Test func aStateFileOfAnotherUserIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "mooring-store")
        defer { dir.remove() }
        let url = dir.appending("state.sqlite")
        do { _ = try StateStore(path: url) }
        guard Unprivileged.isAvailable else {
            Unprivileged.note("aStateFileOfAnotherUserIsRefused")
            // A file others may write stands in for a file of theirs.
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: url.path)
            let error = try #require(throws: StoreError.self) { _ = try StateStore(path: url) }
            #expect(error.code == .untrustedFile)
            #expect(error.message.contains("chmod 600 \(url.path)"))
            return
        }
        try Unprivileged.give(url)
        for open in [{ try StateStore(path: url) }, { try StateStore(readOnlyPath: url) }] {
            let error = try #require(throws: StoreError.self) { _ = try open() }
            #expect(error.code == .untrustedFile)
            #expect(error.message.contains("belongs to uid \(Unprivileged.uid)"), "\(error.message)")
        }
    }

    private func mode(_ url: URL) throws -> Int {
        let value = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        return try #require(value) & 0o7777
    }
}
