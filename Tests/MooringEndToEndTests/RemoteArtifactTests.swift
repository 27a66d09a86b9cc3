import Foundation
import MooringTesting
import Testing

/// Remote model artifacts through the built binary: a 1 GiB artifact streamed into the
/// cache with progress in `status` and the controller's memory flat; a 404 that leaves
/// the serving version alone; and a `git revert` that finds its artifact in the cache.
@Suite(.timeLimit(.minutes(5)))
struct RemoteArtifactTests {
    /// SHA-256 of 1 GiB of zero bytes (the sparse file below).
    static let gigabyteOfZeros = "49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14"

    @Test func aGigabyteArtifactStreamsIntoTheCacheWithProgressAndLittleMemory() async throws {
        try await ControllerHarness.with(name: "artifact-1g") { h in
            let served = h.directory.appending("served")
            try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
            let big = served.appendingPathComponent("big.bin")
            _ = FileManager.default.createFile(atPath: big.path, contents: nil)
            let handle = try FileHandle(forWritingTo: big)
            try handle.truncate(atOffset: 1 << 30)
            try handle.close()
            let server = try ArtifactServer(root: served)
            defer { server.stop() }
            try await server.inject(["pace"], at: "/big.bin")

            try h.repo.write("manifests/big.yaml", """
                apiVersion: mooring.dev/v1alpha1
                kind: ModelDeployment
                metadata: {name: big}
                spec:
                  model:
                    uri: \(server.baseURL)/big.bin
                    sha256: \(Self.gigabyteOfZeros)
                  command: ["python3", "-m", "http.server", "{{port}}", "--bind", "127.0.0.1"]
                  health: {tcp: {}, periodSeconds: 1}
                  rollout: {minHealthySeconds: 1}
                """)
            let revision = try h.repo.commitAll("a 1 GiB model")
            let controller = try h.startController()

            // The controller's own memory is its anonymous RSS (heap, stacks): the file-backed
            // rest is the debug build's shared libraries (about 52 MiB, shared with every
            // process that maps them). A download held in memory would add 1 GiB to it.
            var peakAnonymous = 0, firstRSS = 0, peakRSS = 0
            var progress: [String] = []
            let served1G = try await h.waitForStatus(timeout: .seconds(180)) { status in
                let usage = Self.residentBytes(of: controller.pid)
                if firstRSS == 0 { firstRSS = usage.total }
                peakRSS = max(peakRSS, usage.total)
                peakAnonymous = max(peakAnonymous, usage.anonymous)
                let rows = status["deployments"] as? [[String: Any]] ?? []
                guard let row = rows.first(where: { $0["name"] as? String == "big" }) else { return false }
                if let message = row["message"] as? String, message.contains("downloading") { progress.append(message) }
                return row["health"] as? String == "Healthy" && row["appliedRevision"] as? String == revision
            }
            #expect(served1G, "\(h.controllerLog)")
            #expect(progress.contains { $0.contains(" / 1.0 GiB (") && $0.contains(" %), ") && $0.hasSuffix("/s") }, "\(progress)")
            #expect(peakAnonymous > 0 && peakAnonymous < 64 << 20, "the controller's anonymous RSS peaked at \(peakAnonymous >> 20) MiB")
            #expect(peakRSS - firstRSS < 32 << 20, "the controller's RSS grew from \(firstRSS >> 20) to \(peakRSS >> 20) MiB")

            let cached = h.stateDirectory.appendingPathComponent("artifacts/sha256/\(Self.gigabyteOfZeros)").path
            let pid = try #require(h.modelProcesses(of: "big").first)
            let environment = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/environ"))
            #expect(environment.split(separator: 0).contains { Array($0) == Array("MODEL_PATH=\(cached)".utf8) })
            let mode = try FileManager.default.attributesOfItem(atPath: cached)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o444)
        }
    }

    @Test func aMissingArtifactLeavesTheServingVersionAndARevertDownloadsNothing() async throws {
        try await ControllerHarness.with(name: "artifact-revert") { h in
            let served = h.directory.appending("served")
            try FileManager.default.createDirectory(at: served.appendingPathComponent("models"), withIntermediateDirectories: true)
            var digests: [Int: String] = [:]
            for version in [1, 2] {
                let data = try Data(contentsOf: MooringBinary.packageRoot.appendingPathComponent("models/iris-v\(version).json"))
                try data.write(to: served.appendingPathComponent("models/iris-v\(version).json"))
                digests[version] = try runCommand("/usr/bin/sha256sum", [served.appendingPathComponent("models/iris-v\(version).json").path])
                    .stdout.split(separator: " ").first.map(String.init)
            }
            let server = try ArtifactServer(root: served)
            defer { server.stop() }
            func deployment(_ path: String, version: Int) throws -> String {
                ControllerHarness.deployment("iris", version: version).replacingOccurrences(
                    of: "model: {uri: models/iris-v\(version).json, version: \"\(version)\"}",
                    with: "model: {uri: \"\(server.baseURL)/\(path)\", sha256: \"\(try #require(digests[version]))\", version: \"\(version)\"}")
            }

            try h.repo.write("manifests/iris.yaml", try deployment("models/iris-v1.json", version: 1))
            let first = try h.repo.commitAll("iris 1 from the artifact server")
            try h.startController(interval: "200ms")
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "1")

            try h.repo.write("manifests/iris.yaml", try deployment("models/missing.json", version: 2))
            try await h.commit("iris 2 at a wrong URL")
            #expect(try await h.waitForStatus { _ in
                let row = try await h.deployment("iris")
                return row?["health"] as? String == "Degraded"
                    && (row?["message"] as? String ?? "").contains("HTTP 404, not found")
            }, "\(h.output(["status", "-o", "json"]))")
            #expect(try await h.servedVersion("iris") == "1")
            #expect(try await h.deployment("iris")?["appliedRevision"] as? String == first)

            try h.repo.write("manifests/iris.yaml", try deployment("models/iris-v2.json", version: 2))
            let second = try await h.commit("iris 2 at the right URL")
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")

            try h.repo.git("revert", "--no-edit", "HEAD", "HEAD~1")
            let revert = try h.repo.revParse()
            _ = try await h.mooring(["sync"])
            #expect(try await h.waitUntilServing("iris", at: revert), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "1")
            #expect(try await server.stats(for: "/models/iris-v1.json").requests == 1)
            #expect(try await server.stats(for: "/models/iris-v2.json").requests == 1)
        }
    }

    /// `VmRSS` and `RssAnon` of `pid` in bytes (0 when they cannot be read).
    static func residentBytes(of pid: Int32) -> (total: Int, anonymous: Int) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                  let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
            else { return 0 }
            return kilobytes * 1024
        }
        return (field("VmRSS"), field("RssAnon"))
    }
}
