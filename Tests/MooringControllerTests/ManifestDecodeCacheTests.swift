import Foundation
import Logging
@testable import MooringController
import MooringGit
import MooringManifests
import MooringTesting
import Testing

/// Parse only changed files: decoded manifests are kept by path and Git blob id, so a
/// commit that changes one file of ten decodes one — and the revision it yields is the
/// one a full parse yields.
@Suite struct ManifestDecodeCacheTests {
    static func deployments(_ range: Range<Int>, version: String = "1") -> String {
        range.map { index in
            """
            ---
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata:
              name: model-\(index)
            spec:
              command: ["python3", "server.py", "--port", "{{port}}"]
              model: {uri: models/m.json, version: "\(version)"}

            """
        }.joined()
    }

    @Test func aCommitThatChangesOneFileOfTenDecodesOne() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("models/m.json", "{}\n")
        for file in 0..<10 { try repo.write("manifests/f\(file).yaml", Self.deployments(file * 3..<file * 3 + 3)) }
        _ = try repo.commitAll("Thirty deployments in ten files")
        let source = try GitSource(
            configuration: GitSourceConfiguration(location: .localPath(repo.directory.path), stateDirectory: dir.appending("state")),
            logger: Logger(label: "test"))
        let cache = ManifestDecodeCache()

        let firstCommit = try await source.update(previous: nil).commit.id
        let first = try source.manifestSet(at: firstCommit, path: "manifests", cache: cache)
        #expect(first.isValid && first.deployments.count == 30)
        #expect(cache.counts == (hits: 0, misses: 10))

        // One file changes (a version), one moves to a new path, one is deleted.
        try repo.write("manifests/f4.yaml", Self.deployments(12..<15, version: "2"))
        _ = try repo.git("mv", "manifests/f7.yaml", "manifests/moved.yaml")
        try repo.remove("manifests/f9.yaml")
        _ = try repo.commitAll("Change one, move one, delete one")
        let tip = try await source.update(previous: nil).commit.id
        #expect(tip != firstCommit)
        let cached = try source.manifestSet(at: tip, path: "manifests", cache: cache)
        #expect(cache.counts == (hits: 7, misses: 12))  // f4 and moved.yaml decoded, 7 unchanged taken
        #expect(cache.count == 9)                        // only the tip's files are kept

        // Exactly what a parse without the cache finds.
        let full = try source.manifestSet(at: tip, path: "manifests", cache: ManifestDecodeCache())
        #expect(cached.isValid && cached.deployments.count == 27)
        #expect(cached.deployments == full.deployments)
        #expect(cached.diagnostics == full.diagnostics)
        #expect(cached.deployments.filter { $0.model?.version == "2" }.map(\.name) == ["model-12", "model-13", "model-14"])
        #expect(cached.origins["model-21"]?.file == "manifests/moved.yaml")
    }

    @Test func aFileWithErrorsKeepsItsDiagnosticsWhenTakenFromTheCache() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try GitFixture(at: dir.appending("repo"))
        try repo.write("models/m.json", "{}\n")
        try repo.write("manifests/good.yaml", Self.deployments(0..<1))
        try repo.write("manifests/bad.yaml", "apiVersion: mooring.dev/v1alpha1\nkind: ModelDeployment\nmetadata: {name: Bad_Name}\nspec: {replicas: many}\n")
        _ = try repo.commitAll("One bad file")
        let source = try GitSource(
            configuration: GitSourceConfiguration(location: .localPath(repo.directory.path), stateDirectory: dir.appending("state")),
            logger: Logger(label: "test"))
        let cache = ManifestDecodeCache()
        let commit = try await source.update(previous: nil).commit.id
        let first = try source.manifestSet(at: commit, path: "manifests", cache: cache)
        let again = try source.manifestSet(at: commit, path: "manifests", cache: cache)
        #expect(!first.isValid)
        #expect(again.diagnostics == first.diagnostics)
        #expect(cache.counts == (hits: 2, misses: 2))
    }
}
