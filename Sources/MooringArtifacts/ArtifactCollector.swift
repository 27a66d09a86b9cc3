import Foundation

/// The cache's garbage collector: while the cache holds more than the budget, removes the
/// artifacts no deployment references, oldest fetch first. What a deployment's desired,
/// applied or in-rollout spec names is never removed — and so neither is what a running
/// replica uses (it runs one of those specs). Without a budget nothing is removed.
public struct ArtifactCollector: Sendable {
    public let cache: ArtifactCache
    public let budgetBytes: Int64?

    public init(cache: ArtifactCache, budgetBytes: Int64?) {
        self.cache = cache
        self.budgetBytes = budgetBytes
    }

    /// What a collection did: the URIs whose artifacts were removed, and the bytes freed.
    public struct Outcome: Sendable, Equatable {
        public var removed: [String] = []
        public var freedBytes: Int64 = 0
    }

    /// Collects, keeping every artifact of `referenced` (model URIs).
    public func collect(keeping referenced: Set<String>) -> Outcome {
        var outcome = Outcome()
        guard let budgetBytes else { return outcome }
        let records = cache.records()
        var total = cachedBytes()
        guard total > budgetBytes else { return outcome }
        let kept = records.filter { referenced.contains($0.uri) }
        var protected = Set(kept.flatMap(Self.digests))
        for record in records.sorted(by: { $0.fetchedAt < $1.fetchedAt }) where !referenced.contains(record.uri) {
            guard total > budgetBytes else { break }
            cache.removeRecord(for: record.uri)
            if record.kind == .directory {
                let tree = cache.tree(record.digest)
                if !protected.contains(record.digest) {
                    try? cache.makeWritable(tree)
                    try? FileManager.default.removeItem(at: tree)
                }
            }
            for digest in Self.files(of: record) where !protected.contains(digest) {
                let file = cache.file(digest)
                let size = Self.size(file)
                if (try? FileManager.default.removeItem(at: file)) != nil {
                    total -= size
                    outcome.freedBytes += size
                }
                protected.insert(digest)  // removed once only
            }
            outcome.removed.append(record.uri)
        }
        return outcome
    }

    /// Bytes of every cached file (directory artifacts are links to them, counted once).
    public func cachedBytes() -> Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.files.path)) ?? []
        return names.reduce(0) { $0 + Self.size(cache.file($1)) }
    }

    private static func files(of record: ArtifactRecord) -> [String] {
        record.kind == .file ? [record.digest] : (record.files ?? []).map(\.sha256)
    }

    private static func digests(of record: ArtifactRecord) -> [String] {
        files(of: record) + (record.kind == .directory ? [record.digest] : [])
    }

    private static func size(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
