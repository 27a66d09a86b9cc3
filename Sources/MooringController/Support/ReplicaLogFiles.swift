import Foundation
import MooringFileSafety
import MooringStore
#if canImport(Glibc)
import Glibc
#endif

/// A deployment's replica logs as `mooring logs` finds them: one directory per generation
/// (`logs/<deployment>/<generation>/<replica>.log`, so the old and the new replica 0 of a
/// rollout never share a file), plus the flat `logs/<deployment>/<replica>.log` files of
/// controllers before per-generation logs. Read from the files and, when it can be read,
/// the state store (which generation serves) — no controller needed.
public struct ReplicaLogFiles: Sendable {
    /// The logs of one generation's replicas.
    public struct Generation: Sendable, Equatable {
        /// The generation; empty for the flat files of older controllers.
        public var name: String
        /// Each replica's current log file, by replica index.
        public var replicas: [Int: URL]
        /// When one of its logs was last written.
        public var modified: Date
    }

    /// Every generation with logs, most recently written first.
    public var generations: [Generation]
    /// The generation serving the deployment, as the state store says; nil when it says
    /// nothing (no store, or nothing serves).
    public var serving: String?

    /// The generation `mooring logs` shows: the serving one, else the most recently written.
    public var current: Generation? {
        generations.first { $0.name == serving && serving != nil } ?? generations.first
    }

    /// The log of replica `index` in the most recent generation before `generation` that
    /// has one: the replica that `index` replaced.
    public func earlier(than generation: String, replica index: Int) -> (generation: String, file: URL)? {
        guard let position = generations.firstIndex(where: { $0.name == generation }) else { return nil }
        for older in generations[(position + 1)...] {
            if let file = older.replicas[index] { return (older.name, file) }
        }
        return nil
    }

    /// Reads the log directory of `deployment` (which must be a private directory of this
    /// user's, never a link) and the store's serving generation. No directory: no logs.
    public static func load(layout: StateLayout, deployment: String) throws -> ReplicaLogFiles {
        let directory = layout.logs.appendingPathComponent(deployment)
        guard try OwnedFiles.linkStatus(directory.path) != nil else { return ReplicaLogFiles(generations: [], serving: nil) }
        try OwnedFiles.checkDirectory(directory.path)
        var generations: [Generation] = []
        var flat: [Int: URL] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let url = directory.appendingPathComponent(name)
            guard let info = try OwnedFiles.linkStatus(url.path) else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                try OwnedFiles.checkDirectory(url.path)
                let files = try replicaFiles(in: url)
                if !files.isEmpty { generations.append(Generation(name: name, replicas: files, modified: newest(files))) }
            } else if let index = replicaIndex(name) {
                flat[index] = url
            }
        }
        if !flat.isEmpty { generations.append(Generation(name: "", replicas: flat, modified: newest(flat))) }
        generations.sort { ($0.modified, $0.name) > ($1.modified, $1.name) }
        return ReplicaLogFiles(generations: generations, serving: servingGeneration(layout: layout, deployment: deployment))
    }

    /// `N.log` → N.
    static func replicaIndex(_ fileName: String) -> Int? {
        guard fileName.hasSuffix(".log") else { return nil }
        return Int(fileName.dropLast(4)).flatMap { $0 >= 0 ? $0 : nil }
    }

    private static func replicaFiles(in directory: URL) throws -> [Int: URL] {
        var files: [Int: URL] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            if let index = replicaIndex(name) { files[index] = directory.appendingPathComponent(name) }
        }
        return files
    }

    private static func newest(_ files: [Int: URL]) -> Date {
        files.values.map { url -> Date in
            var info = stat()
            guard lstat(url.path, &info) == 0 else { return .distantPast }
            return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        }.max() ?? .distantPast
    }

    /// The serving generation the store records; nil when the store is missing or cannot
    /// be read — the logs are still there to read, the newest generation stands in.
    private static func servingGeneration(layout: StateLayout, deployment: String) -> String? {
        guard FileManager.default.fileExists(atPath: layout.database.path) else { return nil }
        do {
            let store = try StateStore(readOnlyPath: layout.database)
            return try store.read { try $0.deployment(named: deployment) }?.servingGeneration
        } catch {
            return nil
        }
    }
}
