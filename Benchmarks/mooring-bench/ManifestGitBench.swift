import Foundation
import Logging
import MooringController
import MooringGit
import MooringManifests

/// Reading 1,000 deployments from a Git commit, before and after the two fixes of issue 14
/// in the same binary: model paths checked by one-shot reads (a repository open and a walk
/// from the root tree per deployment) versus one open ``CommitTree`` with remembered
/// answers; and a commit that changes one of 100 files decoded whole versus through the
/// blob-id ``ManifestDecodeCache``.
enum ManifestGitBench {
    /// The model-path checks as they were: every question opens the repository again.
    struct OneShotView: RepositoryView {
        let source: GitSource
        let commit: ObjectID

        func entry(at path: String) -> RepositoryEntry {
            do {
                switch try source.entry(at: commit, path: path) {
                case .file: return .file
                case .directory: return .directory
                case let .symlink(target): return .symlink(target: target)
                }
            } catch {
                return .missing
            }
        }

        func contents(at path: String) -> Data? {
            do { return try source.blob(at: commit, path: path) } catch { return nil }
        }

        func contentID(at path: String) throws -> String? {
            try source.objectID(at: commit, path: path).hex
        }
    }

    static let runs = 7

    static func git(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        for key in ["GIT_AUTHOR", "GIT_COMMITTER"] {
            environment["\(key)_NAME"] = "bench"
            environment["\(key)_EMAIL"] = "bench@localhost"
        }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("git \(arguments.joined(separator: " ")) failed") }
    }

    static func run() async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mooring-git-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let repo = directory.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: repo)
        for file in generate(deployments: 1_000, perFile: 10) {
            let url = repo.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url)
        }
        for index in 0..<10 {
            let (path, data) = ("models/model-\(index).json", Data("{\"name\": \"m\(index)\"}".utf8))
            let url = repo.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        try git(["add", "-A"], in: repo)
        try git(["commit", "-q", "-m", "1000 deployments"], in: repo)
        var logger = Logger(label: "mooring.bench")
        logger.logLevel = .error
        let source = try GitSource(configuration: GitSourceConfiguration(
            location: .localPath(repo.path), stateDirectory: directory.appendingPathComponent("state")), logger: logger)
        let first = try await source.update(previous: nil).commit.id

        let files = try source.files(at: first, under: "manifests").map {
            ManifestFile(path: $0.path, contents: $0.contents, isSymlink: $0.isSymlink, contentID: $0.id.hex)
        }
        var oneShot = Samples(), commitTree = Samples()
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let view = OneShotView(source: source, commit: first)
            oneShot.append(clock.measure { _ = ManifestSet.load(files: files, repository: view) })
            commitTree.append(try clock.measure {
                _ = ManifestSet.load(files: files, repository: try GitTreeRepository(source: source, commit: first))
            })
        }
        let check = ManifestSet.load(files: files, repository: try GitTreeRepository(source: source, commit: first))
        guard check.isValid, check.deployments.count == 1_000 else { throw BenchError("the generated commit is not valid") }

        // One file of 100 changes: parse the new commit whole, or through the cache that
        // holds the previous commit's files.
        let changed = repo.appendingPathComponent("manifests/batch-42.yaml")
        var text = try String(contentsOf: changed, encoding: .utf8)
        text = text.replacingOccurrences(of: "OMP_NUM_THREADS: \"1\"", with: "OMP_NUM_THREADS: \"2\"")
        try text.write(to: changed, atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-am", "one file changes"], in: repo)
        let second = try await source.update(previous: nil).commit.id
        var whole = Samples(), cached = Samples()
        var decoded = (hits: 0, misses: 0)
        for _ in 0..<runs {
            whole.append(try clock.measure { _ = try source.manifestSet(at: second, path: "manifests", cache: ManifestDecodeCache()) })
            let cache = ManifestDecodeCache()
            _ = try source.manifestSet(at: first, path: "manifests", cache: cache)
            let before = cache.counts
            cached.append(try clock.measure { _ = try source.manifestSet(at: second, path: "manifests", cache: cache) })
            decoded = (cache.counts.hits - before.hits, cache.counts.misses - before.misses)
        }

        return [
            "## Manifests from Git",
            "",
            "Measured on \(BenchmarksFile.machine()), \(ISO8601DateFormatter().string(from: Date())); "
                + "`Benchmarks/mooring-bench/ManifestGitBench.swift`, run by `make bench`. 1,000 deployments in 100 files "
                + "of a local Git commit, 10 model files; before and after in the same binary, \(runs) runs each.",
            "",
            "| figure | before | after |",
            "|---|---|---|",
            "| decode + validate 1,000 deployments with model paths checked in the commit's tree "
                + "(one-shot `GitSource.entry`/`objectID` per deployment → one open `CommitTree`, answers remembered by path) "
                + "| \(oneShot.summary) | \(commitTree.summary) |",
            "| parse a commit that changes 1 of 100 files (`manifestSet(at:path:cache:)`; whole → decoded-file cache by "
                + "path and blob id: \(decoded.misses) decoded, \(decoded.hits) from the cache) | \(whole.summary) | \(cached.summary) |",
        ].joined(separator: "\n")
    }
}
