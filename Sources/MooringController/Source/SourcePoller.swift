import Foundation
import Logging
import MooringGit
import MooringManifests
import MooringStatus
import MooringStore

/// Fetches the tracked ref and reads the manifests at its tip: observe and validate.
/// It is the only writer of the `source` row and of revision records; what it learns goes
/// to the controller's loop as a ``GitObservation``, and deployment records are never its
/// business.
///
/// An unchanged poll costs one fetch (for a local repository a few `lstat`s), no tree
/// lookup, no parse, no plan, no write.
actor SourcePoller {
    private let context: ControllerContext
    private var lastCommit: ObjectID?
    private var lastTree: ObjectID?
    private var lastSet: ManifestSet?
    private var lastError: String?
    /// When the source row's fetch time was last written (written at most every minute
    /// while nothing changes).
    private var lastFetchWrite: Date?

    /// How many times the manifests were parsed (observable by tests and `/metrics`).
    private(set) var parseCount = 0
    /// Store writes this poller asked for (the source row, revisions): the controller reads
    /// the source row back only after one (``Controller/measuredPoll(forced:)``).
    private(set) var writes = 0

    init(context: ControllerContext, lastError: String?) {
        self.context = context
        self.lastError = lastError
    }

    /// One poll. Returns what the controller must apply, or nil when nothing changed or
    /// the source failed (the failure is recorded on the source row and as an event).
    /// `forced` polls (asked for by an operator) always record their fetch time.
    func poll(forced: Bool = false) async -> GitObservation? {
        let configuration = context.configuration
        let update: SourceUpdate
        do {
            update = try await context.source.update(previous: lastCommit)
        } catch {
            let retry = (error as? GitError)?.isRetryable ?? false
            await failed("fetch failed: \(error)\(retry ? " (retried at the next poll)" : "")", reason: .fetchFailed)
            return nil
        }
        let commit = update.commit
        if let rewrite = update.rewriteDescription {
            await context.event(.warning, .branchRewritten, "the tracked ref was \(rewrite); following the new tip")
        }
        let changed = commit.id != lastCommit
        await recordFetch(update, changed: changed || forced)
        if !changed, lastTree != nil, lastSet != nil, configuration.commitSignatures == nil {
            // The commit read last time, audited then, with no signature to check again.
            context.logger.debug("manifests unchanged at \(commit.id.short) (tree \(lastTree?.short ?? "-")); skipped parse and plan")
            return nil
        }
        if let refusal = await context.checkSignature(of: commit) {
            await failed(refusal, reason: .signatureRejected, rejected: true)
            return nil
        }
        if !changed, lastTree != nil, lastSet != nil {
            // The commit read last time, whose tree (immutable) is `lastTree`: nothing to do,
            // and no need to open the repository again to find its manifests folder.
            context.logger.debug("manifests unchanged at \(commit.id.short) (tree \(lastTree?.short ?? "-")); skipped parse and plan")
            return nil
        }

        let tree: ObjectID
        do {
            let source = context.source
            let path = configuration.manifestsPath
            tree = try await Blocking.run { try source.treeID(at: commit.id, path: path) }
        } catch {
            lastCommit = commit.id
            lastTree = nil
            await failed("commit \(commit.id.short) rejected, nothing applied: \(error)", reason: .pathNotFound, rejected: true)
            return nil
        }
        if tree == lastTree, let set = lastSet {
            guard changed else {
                context.logger.debug("manifests unchanged at \(commit.id.short) (tree \(tree.short)); skipped parse and plan")
                return nil
            }
            if await modelsUnchanged(set, at: commit.id) {
                lastCommit = commit.id
                context.logger.debug("manifests unchanged at \(commit.id.short) (tree \(tree.short)); skipped parse and plan")
                return set.isValid ? .valid(commit: commit, set: set, treeChanged: false) : .rejected(commit: commit, set: set)
            }
            context.logger.debug("model content changed at \(commit.id.short): parsing again")
        }

        parseCount += 1
        var set: ManifestSet
        do {
            let source = context.source
            let path = configuration.manifestsPath
            if let parsed = try await Blocking.run(deadline: configuration.parseDeadline, { try source.manifestSet(at: commit.id, path: path, configuration: configuration) }) {
                set = parsed
            } else {
                // Hostile or pathological input: rejected whole, and not parsed again until Git changes.
                set = ManifestSet.load(files: [])
                set.diagnostics = [Diagnostic(.error, at: SourcePosition(file: path, line: 1, column: 1), field: "",
                    message: "reading and validating the manifests took longer than \(configuration.parseDeadline); the commit is rejected and not read again until Git changes")]
            }
        } catch {
            await failed("cannot read \(configuration.manifestsPath) at \(commit.id.short): \(error)", reason: .readFailed)
            return nil
        }
        context.logger.debug("parsed \(set.fileCount) manifest files (\(set.deployments.count) deployments) at \(commit.id.short) (tree \(tree.short))")
        guard await recordRevision(commit, set) else { return nil }
        lastCommit = commit.id
        lastTree = tree
        lastSet = set
        guard set.isValid else {
            let lines = set.diagnostics.filter { $0.severity == .error }.map(\.description)
            await failed("commit \(commit.id.short) rejected, nothing applied:\n" + lines.joined(separator: "\n"),
                         reason: .revisionRejected, rejected: true)
            return .rejected(commit: commit, set: set)
        }
        if set.fileCount == 0 {
            context.logger.info("no manifests under \(configuration.manifestsPath) at \(commit.id.short): every deployment is removed")
        }
        await recovered()
        return .valid(commit: commit, set: set, treeChanged: true)
    }

    /// Whether every model path of `set` still names the same Git object at `commit`
    /// (a model changed in place rolls its deployment even when no manifest changed).
    private func modelsUnchanged(_ set: ManifestSet, at commit: ObjectID) async -> Bool {
        let models = Set(set.deployments.compactMap { spec in spec.model.flatMap { m in m.contentID.map { (m.uri, $0) } } }.map { "\($0.0)\u{0}\($0.1)" })
        guard !models.isEmpty else { return true }
        let source = context.source
        return await Blocking.run {
            models.allSatisfy { pair in
                let parts = pair.split(separator: "\u{0}", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return false }
                do {
                    return try source.objectID(at: commit, path: parts[0]).hex == parts[1]
                } catch {
                    return false // gone or unreadable: parse again, which reports it
                }
            }
        }
    }

    private func persistCounted<T: Sendable>(_ what: String, _ body: @escaping @Sendable (StoreTransaction) throws -> T) async -> T? {
        writes += 1
        return await context.persist(what, body)
    }

    /// Forgets the cached tree so the next poll parses again (after a failed apply).
    func invalidate() {
        lastCommit = nil
        lastTree = nil
        lastSet = nil
    }

    private func recordFetch(_ update: SourceUpdate, changed: Bool) async {
        let now = Date()
        let interval = context.configuration.interval.seconds
        if !changed, let last = lastFetchWrite, now.timeIntervalSince(last) < 60 { return }
        lastFetchWrite = now
        let commit = update.commit
        await persistCounted("the fetched commit") { tx in
            _ = try tx.updateSource { s in
                if let branch = update.resolvedBranch { s.branch = branch }
                s.lastFetchedCommit = commit.id.hex
                s.lastFetchedSubject = commit.subject
                s.lastFetchAt = now
                s.nextFetchAt = now.addingTimeInterval(interval)
            }
        }
    }

    /// Records the revision; false when it could not be recorded (the commit stays
    /// unhandled and is read again at the next poll).
    private func recordRevision(_ commit: CommitInfo, _ set: ManifestSet) async -> Bool {
        let diagnostics = set.diagnostics.map {
            RevisionDiagnostic(file: $0.position.file, line: $0.position.line, column: $0.position.column,
                               path: $0.field.isEmpty ? nil : $0.field, message: $0.message)
        }
        let stored = set.isValid ? diagnostics : (diagnostics.isEmpty ? [RevisionDiagnostic(file: context.configuration.manifestsPath, message: "rejected")] : diagnostics)
        let record: RevisionRecord
        do {
            record = try RevisionRecord(
                commit: commit.id.hex, subject: commit.subject, author: "\(commit.author) <\(commit.authorEmail)>",
                committedAt: commit.time, seenAt: Date(), valid: set.isValid, diagnostics: stored)
        } catch {
            context.logger.error("cannot record revision \(commit.id.short): \(error)")
            return false
        }
        return await persistCounted("revision \(commit.id.short)") { tx in _ = try tx.recordRevision(record) } != nil
    }

    private func failed(_ message: String, reason: EventReason, rejected: Bool = false) async {
        let interval = context.configuration.interval.seconds
        await persistCounted("the source's error") { tx in
            _ = try tx.updateSource { s in
                s.lastError = message
                s.lastErrorAt = Date()
                s.tipRejected = rejected
                s.nextFetchAt = Date().addingTimeInterval(interval)
            }
        }
        if message != lastError {
            await context.event(.warning, reason, message)
            lastError = message
        }
    }

    /// Clears the source's error — a write only when there was one.
    private func recovered() async {
        guard lastError != nil else { return }
        lastError = nil
        await persistCounted("the source's recovery") { tx in
            _ = try tx.updateSource { s in
                s.lastError = nil
                s.tipRejected = false
            }
        }
        await context.event(.normal, .sourceRecovered, "the source is readable and valid again")
    }
}
