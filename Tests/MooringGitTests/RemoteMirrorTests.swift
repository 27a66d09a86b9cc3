import Foundation
import MooringGit
import MooringTesting
import Testing

@Suite struct RemoteMirrorTests {
    @Test func mirrorsAFileRemoteAndRefetchesNewCommits() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let upstream = try manifestRepository(in: dir)
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let url = "file://" + upstream.directory.path

        let source = try makeSource(.remote(url: url), state: state)
        let first = try await source.update(previous: nil)
        #expect(first.commit.id.hex == (try upstream.revParse()))
        #expect(first.resolvedBranch == "main")
        let mirror = try #require(source.mirrorDirectory)
        #expect(mirror.deletingLastPathComponent().path == state.appending("git").path)
        // A bare mirror: no work tree, HEAD at the remote's default branch.
        #expect(FileManager.default.fileExists(atPath: mirror.appendingPathComponent("HEAD").path))
        #expect(!FileManager.default.fileExists(atPath: mirror.appendingPathComponent("manifests").path))

        try upstream.write("manifests/team/llama.yaml", "name: llama\n")
        let next = try upstream.commitAll("Add llama")
        // A new source object (a controller restart) reuses the same mirror.
        let restarted = try makeSource(.remote(url: url), state: state)
        #expect(restarted.mirrorDirectory == mirror)
        let second = try await restarted.update(previous: first.commit.id)
        #expect(second.commit.id.hex == next)
        #expect(second.rewrittenFrom == nil)
        #expect(try restarted.files(at: second.commit.id, under: "manifests").map(\.path)
            == ["manifests/iris.yaml", "manifests/team/llama.yaml"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.appending("git").path).count == 1)
    }

    @Test func aDifferentURLNeverReusesAMirror() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let one = try manifestRepository(in: dir, name: "one")
        let two = try GitFixture(at: dir.appending("two"))
        try two.write("manifests/other.yaml", "other: true\n")
        try two.commitAll("Other")
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }

        let first = try makeSource(.remote(url: "file://" + one.directory.path), state: state)
        let second = try makeSource(.remote(url: "file://" + two.directory.path), state: state)
        #expect(first.mirrorDirectory != second.mirrorDirectory)
        let a = try await first.update(previous: nil)
        let b = try await second.update(previous: nil)
        #expect(try first.files(at: a.commit.id, under: "manifests").map(\.path) == ["manifests/iris.yaml"])
        #expect(try second.files(at: b.commit.id, under: "manifests").map(\.path) == ["manifests/other.yaml"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.appending("git").path).count == 2)
    }

    @Test(arguments: ["objects", "HEAD"])
    func aCorruptMirrorIsReclonedAndReadable(damage: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let upstream = try manifestRepository(in: dir)
        let state = try TemporaryDirectory(prefix: "mooring-state")
        defer { state.remove() }
        let logs = LogRecorder()
        let source = try makeSource(.remote(url: "file://" + upstream.directory.path), state: state, logs: logs)
        let first = try await source.update(previous: nil)
        let mirror = try #require(source.mirrorDirectory)

        // Damage the mirror: garbage over every object file, or over HEAD.
        if damage == "objects" {
            let objects = mirror.appendingPathComponent("objects")
            let enumerator = try #require(FileManager.default.enumerator(atPath: objects.path))
            var damaged = 0
            for case let relative as String in enumerator {
                let file = objects.appendingPathComponent(relative)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    _ = try? runCommand("/bin/chmod", ["u+w", file.path])
                    try Data("this is not a git object".utf8).write(to: file)
                    damaged += 1
                }
            }
            #expect(damaged > 0)
        } else {
            try Data("garbage\n".utf8).write(to: mirror.appendingPathComponent("HEAD"))
        }

        // Nothing changed upstream, so only re-cloning can make the commit readable again.
        let same = try await source.update(previous: first.commit.id)
        #expect(same.commit.id == first.commit.id)
        #expect(same.rewrittenFrom == nil)
        #expect(try source.files(at: same.commit.id, under: "manifests").map(\.contents) == [Data("name: iris\n".utf8)])
        // The operator is told the mirror was re-cloned.
        #expect(logs.all.contains { $0.hasPrefix("warning") && $0.contains("mirror") })

        try upstream.write("manifests/iris.yaml", "name: iris\nversion: 2\n")
        let next = try upstream.commitAll("Iris v2")
        let second = try await source.update(previous: first.commit.id)
        #expect(second.commit.id.hex == next)
        let files = try source.files(at: second.commit.id, under: "manifests")
        #expect(files.map { String(decoding: $0.contents, as: UTF8.self) } == ["name: iris\nversion: 2\n"])
        #expect(source.liveHandleCount == 0)
    }
}
