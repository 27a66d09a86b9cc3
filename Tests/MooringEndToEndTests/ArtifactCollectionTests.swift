import Foundation
import MooringTesting
import Testing

/// The artifact cache's collector through the built binary, with a budget that holds one
/// version: after v1 → v2 → v3 the previous version's artifact (v2) survives and
/// v1's is removed (reported as an event); a `git revert` to v2 then downloads nothing.
@Suite(.timeLimit(.minutes(5)))
struct ArtifactCollectionTests {
    @Test func thePreviousVersionSurvivesASmallBudgetAndARevertDownloadsNothing() async throws {
        try await ControllerHarness.with(name: "artifact-gc") { h in
            let served = h.directory.appending("served")
            try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
            var digests: [Int: String] = [:]
            for version in [1, 2, 3] {
                // v3 is v2's model reporting version 3.
                let source = MooringBinary.packageRoot.appendingPathComponent("models/iris-v\(min(version, 2)).json")
                let text = try String(contentsOf: source, encoding: .utf8)
                    .replacingOccurrences(of: "\"version\": \"2\"", with: "\"version\": \"\(version)\"")
                let file = served.appendingPathComponent("iris-v\(version).json")
                try Data(text.utf8).write(to: file)
                digests[version] = try runCommand("/usr/bin/sha256sum", [file.path]).stdout.split(separator: " ").first.map(String.init)
            }
            let server = try ArtifactServer(root: served)
            defer { server.stop() }
            func deployment(_ version: Int) throws -> String {
                ControllerHarness.deployment("iris", version: version).replacingOccurrences(
                    of: "model: {uri: models/iris-v\(version).json, version: \"\(version)\"}",
                    with: "model: {uri: \"\(server.baseURL)/iris-v\(version).json\", sha256: \"\(try #require(digests[version]))\", version: \"\(version)\"}")
            }
            func cached(_ version: Int) throws -> Bool {
                FileManager.default.fileExists(atPath: h.stateDirectory.appendingPathComponent("artifacts/sha256/\(try #require(digests[version]))").path)
            }
            // One model fits (706 or 902 bytes), two do not: whatever is kept beyond it is kept
            // because a spec names it.
            let config = try h.directory.write("host.yaml", "artifacts: {cacheBudget: 1000}\n")

            try h.repo.write("manifests/iris.yaml", try deployment(1))
            let first = try h.repo.commitAll("iris 1")
            try h.startController(interval: "200ms", arguments: ["--config", config.path])
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            for version in [2, 3] {
                try h.repo.write("manifests/iris.yaml", try deployment(version))
                let revision = try await h.commit("iris \(version)")
                #expect(try await h.waitUntilServing("iris", at: revision), "\(h.controllerLog)")
                #expect(try await h.servedVersion("iris") == "\(version)")
            }

            // Before v3's download v1 was still the previous spec; after v3's rollout the
            // collector removes v1 (unreferenced now) and keeps v2 (previous), over budget or not.
            var collected: [String] = []
            #expect(try await waitUntil(timeout: .seconds(60), interval: .milliseconds(200)) {
                collected = try await h.events(nil, reason: "ArtifactsCollected").compactMap { $0["message"] as? String }
                return collected.contains { $0.contains("after a rollout of iris") }
            }, "\(h.controllerLog)")
            #expect(collected.count == 1, "\(collected)")
            let message = collected.first ?? ""
            #expect(message.contains("iris-v1.json") && !message.contains("iris-v2.json"), "\(message)")
            #expect(try !cached(1))
            #expect(try cached(2) && cached(3))

            try h.repo.git("revert", "--no-edit", "HEAD")
            let revert = try h.repo.revParse()
            _ = try await h.mooring(["sync"])
            #expect(try await h.waitUntilServing("iris", at: revert), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
            #expect(try await server.stats(for: "/iris-v2.json").requests == 1)
            #expect(try await server.stats(for: "/iris-v1.json").requests == 1)
        }
    }
}
