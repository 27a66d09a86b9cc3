import Foundation
import MooringArtifacts
import MooringDigest
import MooringTesting
import Testing

/// The collector's choices, as a table over real files in a temporary cache: referenced,
/// previous and unreferenced artifacts × under, over and without a budget × partial
/// downloads of different ages, open or not. Artifacts are listed oldest fetch first.
@Suite struct CollectorChoiceTests {
    enum Role { case referenced, previous, unreferenced }

    struct Artifact {
        var name: String
        var size: Int
        var role: Role
    }

    struct Partial {
        var name: String
        var hoursOld: Double
        var open = false
        var directory = false
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var budget: Int64?
        var artifacts: [Artifact] = []
        var partials: [Partial] = []
        /// Names of the artifacts removed, oldest first.
        var removed: [String] = []
        var removedPartials: [String] = []
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "under the budget: nothing goes, not even the unreferenced",
             budget: 1000, artifacts: [.init(name: "a", size: 100, role: .unreferenced), .init(name: "b", size: 100, role: .referenced)]),
        Case(label: "over the budget: the oldest unreferenced go until it fits",
             budget: 250, artifacts: [.init(name: "a", size: 100, role: .unreferenced), .init(name: "b", size: 100, role: .referenced),
                                      .init(name: "c", size: 100, role: .unreferenced), .init(name: "d", size: 100, role: .unreferenced)],
             removed: ["a", "c"]),
        Case(label: "over the budget: the previous spec's artifact stays even when oldest",
             budget: 150, artifacts: [.init(name: "a", size: 100, role: .previous), .init(name: "b", size: 100, role: .unreferenced),
                                      .init(name: "c", size: 100, role: .referenced)],
             removed: ["b"]),
        Case(label: "over the budget with everything referenced or previous: nothing goes",
             budget: 10, artifacts: [.init(name: "a", size: 100, role: .referenced), .init(name: "b", size: 100, role: .previous)]),
        Case(label: "no budget: no artifact goes, however many",
             budget: nil, artifacts: [.init(name: "a", size: 100, role: .unreferenced), .init(name: "b", size: 100, role: .unreferenced)]),
        Case(label: "partials: old ones go, fresh and open ones stay (budget or not)",
             budget: nil,
             partials: [.init(name: "old", hoursOld: 48), .init(name: "fresh", hoursOld: 1), .init(name: "old-open", hoursOld: 48, open: true),
                        .init(name: "tree-old-1", hoursOld: 30, directory: true), .init(name: "tree-new-1", hoursOld: 0.1, directory: true)],
             removedPartials: ["old", "tree-old-1"]),
        Case(label: "over the budget and old partials: both collected",
             budget: 100, artifacts: [.init(name: "a", size: 100, role: .unreferenced), .init(name: "b", size: 100, role: .referenced)],
             partials: [.init(name: "abandoned", hoursOld: 25)], removed: ["a"], removedPartials: ["abandoned"]),
    ]

    static func uri(_ name: String) -> String { "https://models.example.com/\(name).bin" }

    @Test(arguments: cases)
    func collects(_ row: Case) throws {
        let directory = try TemporaryDirectory(prefix: "mooring-collector")
        defer { directory.remove() }
        let cache = ArtifactCache(root: directory.appending("artifacts"))
        try cache.prepare()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var digests: [String: String] = [:]
        for (index, artifact) in row.artifacts.enumerated() {
            let bytes = Data((0..<artifact.size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(artifact.name.utf8.first ?? 0)) })
            let digest = SHA256Digest.hex(bytes)
            try bytes.write(to: cache.file(digest))
            digests[artifact.name] = digest
            try cache.write(ArtifactRecord(uri: Self.uri(artifact.name), kind: .file, digest: digest, size: Int64(artifact.size),
                                           files: nil, origin: [:], fetchedAt: start.addingTimeInterval(Double(index) * 60)))
        }
        let now = Date()
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for partial in row.partials {
            let url = cache.root.appendingPathComponent("partial/\(partial.name)")
            if partial.directory {
                try FileManager.default.createDirectory(at: url.appendingPathComponent("weights"), withIntermediateDirectories: true)
                try Data("x".utf8).write(to: url.appendingPathComponent("weights/part"))
                chmod(url.appendingPathComponent("weights").path, 0o555)
            } else {
                try Data(repeating: 7, count: 1000).write(to: url)
            }
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-partial.hoursOld * 3600)], ofItemAtPath: url.path)
            if partial.open {
                let descriptor = open(url.path, O_RDWR)
                #expect(descriptor >= 0 && flock(descriptor, LOCK_SH) == 0)
                held.append(descriptor)
            }
        }
        let keeping = Set(row.artifacts.filter { $0.role != .unreferenced }.map { Self.uri($0.name) })

        let outcome = ArtifactCollector(cache: cache, budgetBytes: row.budget, partialMaxAge: 24 * 3600)
            .collect(keeping: keeping, now: now)

        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        #expect(outcome.removed == row.removed.map(Self.uri))
        #expect(outcome.freedBytes == Int64(row.artifacts.filter { row.removed.contains($0.name) }.map(\.size).reduce(0, +)))
        #expect(Set(outcome.removedPartials) == Set(row.removedPartials))
        for artifact in row.artifacts {
            let gone = row.removed.contains(artifact.name)
            let digest = try #require(digests[artifact.name])
            #expect(FileManager.default.fileExists(atPath: cache.file(digest).path) == !gone, "\(artifact.name)")
            #expect((cache.record(for: Self.uri(artifact.name)) == nil) == gone, "\(artifact.name)")
        }
        for partial in row.partials {
            let exists = FileManager.default.fileExists(atPath: cache.root.appendingPathComponent("partial/\(partial.name)").path)
            #expect(exists == !row.removedPartials.contains(partial.name), "\(partial.name)")
        }
        if !outcome.removed.isEmpty { #expect(outcome.summary.contains("removed \(outcome.removed.count) unused artifact")) }
    }

    /// A directory artifact that shares a file with a kept artifact: its tree goes, the
    /// shared file stays.
    @Test func aSharedFileStaysWithTheArtifactThatKeepsIt() throws {
        let directory = try TemporaryDirectory(prefix: "mooring-collector")
        defer { directory.remove() }
        let cache = ArtifactCache(root: directory.appending("artifacts"))
        try cache.prepare()
        let shared = Data(repeating: 1, count: 300), own = Data(repeating: 2, count: 300)
        func digest(_ data: Data) -> String { SHA256Digest.hex(data) }
        try shared.write(to: cache.file(digest(shared)))
        try own.write(to: cache.file(digest(own)))
        let tree = cache.tree("t" + String(repeating: "0", count: 63))
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        #expect(link(cache.file(digest(shared)).path, tree.appendingPathComponent("shared.bin").path) == 0)
        #expect(link(cache.file(digest(own)).path, tree.appendingPathComponent("own.bin").path) == 0)
        chmod(tree.path, 0o555)
        let old = Date(timeIntervalSince1970: 1_800_000_000)
        try cache.write(ArtifactRecord(uri: "models:/iris/1", kind: .directory, digest: tree.lastPathComponent, size: 600,
                                       files: [.init(path: "shared.bin", sha256: digest(shared), size: 300),
                                               .init(path: "own.bin", sha256: digest(own), size: 300)],
                                       origin: [:], fetchedAt: old))
        try cache.write(ArtifactRecord(uri: "https://models.example.com/shared.bin", kind: .file, digest: digest(shared), size: 300,
                                       files: nil, origin: [:], fetchedAt: old.addingTimeInterval(60)))

        let outcome = ArtifactCollector(cache: cache, budgetBytes: 300).collect(keeping: ["https://models.example.com/shared.bin"])
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        #expect(outcome.removed == ["models:/iris/1"])
        #expect(outcome.freedBytes == 300)
        #expect(!FileManager.default.fileExists(atPath: tree.path))
        #expect(FileManager.default.fileExists(atPath: cache.file(digest(shared)).path))
        #expect(!FileManager.default.fileExists(atPath: cache.file(digest(own)).path))
    }

    /// What the collector cannot read is reported, not dropped.
    @Test func aProblemIsReported() throws {
        let directory = try TemporaryDirectory(prefix: "mooring-collector")
        defer { directory.remove() }
        let cache = ArtifactCache(root: directory.appending("artifacts"))
        try FileManager.default.createDirectory(at: cache.root, withIntermediateDirectories: true)
        try Data("not a directory".utf8).write(to: cache.files)
        let outcome = ArtifactCollector(cache: cache, budgetBytes: 1).collect(keeping: [])
        #expect(outcome.problems.contains { $0.contains("cannot list \(cache.files.path)") }, "\(outcome.problems)")
    }
}
