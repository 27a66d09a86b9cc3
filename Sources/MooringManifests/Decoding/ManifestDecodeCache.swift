import Foundation
import Synchronization

/// Decoded manifest files by path and content identity (the Git blob id), so that a
/// commit changing one file of 100 decodes one: ``ManifestSet/load(files:repository:limits:cache:)``
/// takes what it finds here for every file with a ``ManifestFile/contentID``.
///
/// It holds the files of the last revision loaded (and those loaded with it at the same
/// time), so its size is that of one revision's manifests. Thread-safe.
public final class ManifestDecodeCache: Sendable {
    struct Key: Hashable, Sendable {
        let path: String
        let contentID: String
        let limits: ManifestLimits
        let hostVariables: Set<String>?
    }

    private struct State: Sendable {
        var entries: [Key: DecodedFile] = [:]
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// How many files were decoded (`misses`) and how many were taken from the cache
    /// (`hits`) since it was made.
    public var counts: (hits: Int, misses: Int) {
        state.withLock { ($0.hits, $0.misses) }
    }

    /// Files of the last revision loaded.
    public var count: Int { state.withLock { $0.entries.count } }

    /// `file` decoded: from the cache when it was decoded before with the same path,
    /// content identity, limits and host variable names. Files without a `contentID` are always decoded.
    func decoded(_ file: ManifestFile, limits: ManifestLimits, hostVariables: Set<String>? = nil,
                 into kept: inout [Key: DecodedFile]) -> DecodedFile {
        guard let contentID = file.contentID else { return file.decode(limits: limits, hostVariables: hostVariables) }
        let key = Key(path: file.path, contentID: contentID, limits: limits, hostVariables: hostVariables)
        if let known = state.withLock({ state -> DecodedFile? in
            let known = state.entries[key]
            if known != nil { state.hits += 1 }
            return known
        }) {
            kept[key] = known
            return known
        }
        let decoded = file.decode(limits: limits, hostVariables: hostVariables)
        state.withLock { $0.misses += 1 }
        kept[key] = decoded
        return decoded
    }

    /// Keeps only the files of the revision just loaded.
    func keep(_ kept: [Key: DecodedFile]) {
        state.withLock { $0.entries = kept }
    }
}
