import Foundation
import MooringHTTP

/// The cache's garbage collector.
///
/// - **Artifacts**: while the cache holds more than the budget, removes the artifacts whose
///   URI is not in the kept set, oldest fetch first. The caller keeps what every
///   deployment's desired, applied, in-rollout and previous spec names — and so what a
///   running replica uses (it runs one of those specs). Files shared with a kept artifact
///   stay. Without a budget no artifact is removed.
/// - **Partial downloads**: removes `partial/` entries no download has open that were last
///   written more than `partialMaxAge` ago (an abandoned URL's partial file), budget or not.
///
/// Nothing fails the collection: what cannot be read or removed is reported in
/// ``Outcome/problems`` (with the path and what to do) and the rest goes on.
public struct ArtifactCollector: Sendable {
    public let cache: ArtifactCache
    public let budgetBytes: Int64?
    /// How long a partial download nobody has open is kept for a resume.
    public let partialMaxAge: TimeInterval

    public init(cache: ArtifactCache, budgetBytes: Int64?, partialMaxAge: TimeInterval = ArtifactSettings.defaultPartialMaxAge) {
        self.cache = cache
        self.budgetBytes = budgetBytes
        self.partialMaxAge = partialMaxAge
    }

    /// What a collection did: the URIs whose artifacts were removed, the partial downloads
    /// removed, the bytes freed, and what could not be done.
    public struct Outcome: Sendable, Equatable {
        public var removed: [String] = []
        public var freedBytes: Int64 = 0
        /// Names of the `partial/` entries removed.
        public var removedPartials: [String] = []
        public var partialBytes: Int64 = 0
        /// What could not be read or removed, each with its path and what to do.
        public var problems: [String] = []

        public var isEmpty: Bool { removed.isEmpty && removedPartials.isEmpty && problems.isEmpty }

        /// One line for the log and the event: what went, and how much was freed.
        public var summary: String {
            var parts: [String] = []
            if !removed.isEmpty {
                parts.append("removed \(removed.count) unused artifact\(removed.count == 1 ? "" : "s") (\(formatBytes(freedBytes))): \(removed.map { redactedURL($0) }.joined(separator: ", "))")
            }
            if !removedPartials.isEmpty {
                parts.append("removed \(removedPartials.count) abandoned partial download\(removedPartials.count == 1 ? "" : "s") (\(formatBytes(partialBytes)))")
            }
            return parts.joined(separator: "; ")
        }
    }

    /// Collects, keeping every artifact of `referenced` (model URIs); `now` dates the partials.
    public func collect(keeping referenced: Set<String>, now: Date = Date()) -> Outcome {
        var outcome = Outcome()
        collectPartials(now: now, into: &outcome)
        collectLocks(into: &outcome)
        guard let budgetBytes else { return outcome }
        var total = cachedBytes(into: &outcome)
        guard total > budgetBytes else { return outcome }
        let records = readRecords(into: &outcome)
        var protected = Set(records.filter { referenced.contains($0.uri) }.flatMap(Self.digests))
        for record in records.sorted(by: { $0.fetchedAt < $1.fetchedAt }) where !referenced.contains(record.uri) {
            guard total > budgetBytes else { break }
            // The record goes first: an artifact half removed is then fetched again, never used.
            do {
                try cache.removeRecord(for: record.uri)
            } catch {
                outcome.problems.append("\(error)")
                continue
            }
            if record.kind == .directory, !protected.contains(record.digest) {
                remove(cache.tree(record.digest), directory: true, into: &outcome)
                protected.insert(record.digest)
            }
            for digest in Self.files(of: record) where !protected.contains(digest) {
                let file = cache.file(digest)
                let size = Self.size(file)
                if remove(file, directory: false, into: &outcome) {
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
        var ignored = Outcome()
        return cachedBytes(into: &ignored)
    }

    private func cachedBytes(into outcome: inout Outcome) -> Int64 {
        guard let names = list(cache.files, into: &outcome) else { return 0 }
        return names.reduce(0) { $0 + Self.size(cache.file($1)) }
    }

    private func readRecords(into outcome: inout Outcome) -> [ArtifactRecord] {
        do {
            return try cache.readRecords()
        } catch {
            outcome.problems.append("\(error)")
            return []
        }
    }

    /// Removes `partial/` entries no download holds open and last written before `now - partialMaxAge`.
    private func collectPartials(now: Date, into outcome: inout Outcome) {
        guard let names = list(cache.partials, into: &outcome) else { return }
        for name in names.sorted() {
            let url = cache.partials.appendingPathComponent(name)
            var info = stat()
            guard lstat(url.path, &info) == 0 else { continue }  // gone meanwhile (placed or removed)
            let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
            guard now.timeIntervalSince(modified) > partialMaxAge else { continue }
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            if isDirectory {
                if remove(url, directory: true, into: &outcome) {
                    outcome.removedPartials.append(name)
                }
                continue
            }
            // A download holds a shared lock on its partial file while it writes it.
            if removeUnlessLocked(url, into: &outcome) {
                outcome.removedPartials.append(name)
                outcome.partialBytes += Int64(info.st_size)
            }
        }
    }

    /// Removes the `locks/` files no download holds (one per URI ever fetched would
    /// otherwise pile up). Each is removed while this holds it; a download that opened it
    /// before the removal sees that the file it locked is gone and locks the path's new
    /// file (``FileLock``), so two downloads of one URI never run at once.
    private func collectLocks(into outcome: inout Outcome) {
        guard let names = list(cache.locks, into: &outcome) else { return }
        for name in names.sorted() {
            removeUnlessLocked(cache.locks.appendingPathComponent(name), into: &outcome)
        }
    }

    /// Removes the file at `url` while holding an exclusive `flock` on it; false (and left
    /// alone) when it is gone or someone holds a lock on it.
    @discardableResult
    private func removeUnlessLocked(_ url: URL, into outcome: inout Outcome) -> Bool {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return false }  // gone meanwhile
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return false }
        return remove(url, directory: false, into: &outcome)
    }

    /// The names in `directory`; nil (and a problem) when it cannot be read. A cache not
    /// made yet has nothing to collect.
    private func list(_ directory: URL, into outcome: inout Outcome) -> [String]? {
        guard FileManager.default.fileExists(atPath: directory.path) else { return nil }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            outcome.problems.append("cannot list \(directory.path) (\(error.localizedDescription)); check the state directory's permissions")
            return nil
        }
    }

    @discardableResult
    private func remove(_ url: URL, directory: Bool, into outcome: inout Outcome) -> Bool {
        do {
            if directory { try cache.makeWritable(url) }
            try FileManager.default.removeItem(at: url)
            return true
        } catch {
            outcome.problems.append("cannot remove \(url.path) (\(error.localizedDescription)); remove it by hand if the disk is short — nothing refers to it")
            return false
        }
    }

    private static func files(of record: ArtifactRecord) -> [String] {
        record.kind == .file ? [record.digest] : (record.files ?? []).map(\.sha256)
    }

    private static func digests(of record: ArtifactRecord) -> [String] {
        files(of: record) + (record.kind == .directory ? [record.digest] : [])
    }

    private static func size(_ url: URL) -> Int64 {
        var info = stat()
        return lstat(url.path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
