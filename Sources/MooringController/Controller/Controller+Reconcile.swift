import Foundation
import MooringGit
import MooringManifests
import MooringStore
import MooringSupervisor

extension Controller {
    /// One observe → validate → diff → act → report cycle. Never throws: every failure
    /// becomes a fact in the store (source error, rejected revision, event).
    func reconcileOnce() async {
        let configuration = context.configuration

        // 1. Observe the source. Sets source.lastFetchedCommit/At, nextFetchAt, lastError.
        let update: SourceUpdate
        do {
            update = try await context.source.update(previous: lastCommit)
        } catch {
            let retry = (error as? GitError)?.isRetryable ?? false
            sourceFailed("fetch failed: \(error)\(retry ? " (will retry at the next poll)" : "")", reason: "FetchFailed")
            return
        }
        let commit = update.commit
        if let rewrite = update.rewriteDescription {
            context.event(.warning, "BranchRewritten", "the tracked ref was \(rewrite); following the new tip")
        }
        lastCommit = commit.id
        context.persist("the fetched commit") { try $0.updateSource { s in
            if let branch = update.resolvedBranch { s.branch = branch }
            s.lastFetchedCommit = commit.id.hex
            s.lastFetchedSubject = commit.subject
            s.lastFetchAt = Date()
            s.nextFetchAt = Date().addingTimeInterval(configuration.interval.seconds)
        } }

        // 2. The manifests tree: a missing path rejects the commit (never "desired state is empty").
        let tree: ObjectID
        do {
            tree = try context.source.treeID(at: commit.id, path: configuration.manifestsPath)
        } catch {
            lastTree = nil; lastTreeValid = false
            sourceFailed("\(error)", reason: "PathNotFound")
            return
        }
        if tree == lastTree {
            if lastTreeValid {
                sourceRecovered()
                if update.changed { markDesiredRevision(commit.id.hex) }
                if let set = lastValidSet, let names = retryRequested() {
                    // `mooring sync --retry` lifted a quarantine: plan again without parsing.
                    context.logger.info("retrying \(names.joined(separator: ", ")) at \(commit.id.short)")
                    await apply(set, revision: commit.id.hex)
                    return
                }
            }
            context.logger.debug("manifests unchanged at \(commit.id.short) (tree \(tree.short)); skipped parse and plan")
            return
        }

        // 3. Validate the commit whole.
        parseCount += 1
        let set: ManifestSet
        do {
            set = try context.source.manifestSet(at: commit.id, path: configuration.manifestsPath)
        } catch {
            sourceFailed("cannot read \(configuration.manifestsPath) at \(commit.id.short): \(error)", reason: "ReadFailed")
            return
        }
        lastTree = tree; lastTreeValid = set.isValid
        context.logger.debug("parsed \(set.fileCount) manifest files (\(set.deployments.count) deployments) at \(commit.id.short) (tree \(tree.short))")
        let diagnostics = set.diagnostics.map {
            RevisionDiagnostic(file: $0.position.file, line: $0.position.line, column: $0.position.column,
                               path: $0.field.isEmpty ? nil : $0.field, message: $0.message)
        }
        if let record = try? RevisionRecord(
            commit: commit.id.hex, subject: commit.subject, author: "\(commit.author) <\(commit.authorEmail)>",
            committedAt: commit.time, seenAt: Date(), valid: set.isValid,
            diagnostics: set.isValid ? diagnostics : (diagnostics.isEmpty ? [RevisionDiagnostic(file: configuration.manifestsPath, message: "rejected")] : diagnostics)) {
            context.persist("revision \(commit.id.short)") { try $0.recordRevision(record) }
        }
        guard set.isValid else {
            let lines = set.diagnostics.filter { $0.severity == .error }.map(\.description)
            sourceFailed("commit \(commit.id.short) rejected, nothing applied:\n" + lines.joined(separator: "\n"), reason: "RevisionRejected")
            return
        }
        if set.fileCount == 0 {
            context.logger.info("no manifests under \(configuration.manifestsPath) at \(commit.id.short): every deployment is removed")
        }
        sourceRecovered()

        // 4. Diff and act.
        lastValidSet = set
        await apply(set, revision: commit.id.hex)
    }

    /// Plans and carries out the plan for a valid revision.
    func apply(_ set: ManifestSet, revision: String) async {
        planCount += 1
        let store = context.store
        let records = (try? store.deployments()) ?? []
        let observed = records.map(ObservedDeployment.init)
        let recordsByName = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) })
        let plan = Planner.plan(desired: set.deployments, observed: observed)
        context.logger.debug("planned \(plan.count) steps at \(short(revision))")
        let executor = RolloutExecutor(context: context)

        for step in plan {
            let name = step.name
            let record = recordsByName[name]
            if step.action.changesHost || step.action == .noop {
                context.logger.debug("plan \(name): \(step.action.verb)")
            }
            switch step.action {
            case .delete:
                await cancelRollout(of: name)
                if let open = try? store.inProgressRollout(of: name), let id = open.id {
                    context.persist("the end of \(name)'s rollout") { try $0.finishRollout(id: id, outcome: .superseded, reason: "removed from Git at \(short(revision))") }
                }
                let replicas = (try? store.replicas(of: name)) ?? []
                await executor.stop(replicas, why: "removed from Git")
                context.persist("the deletion of \(name)") { try $0.deleteDeployment(named: name) }
                context.event(.normal, "Deleted", "removed from Git at \(short(revision)); stopped \(replicas.count) replica\(replicas.count == 1 ? "" : "s")", deployment: name)

            case .create, .update, .scale:
                guard let spec = step.desired else { continue }
                if rollouts[name] != nil, record?.attemptedSpecHash == spec.specHash, record?.desiredSpecHash == spec.specHash {
                    continue // already rolling this very spec out
                }
                await cancelRollout(of: name)
                saveDesired(spec, revision: revision, existing: record)
                await stopStrayGenerations(of: name, keeping: [record.flatMap { ResolvedDeployment.fromStored($0.appliedSpec) }, spec])
                let previous = record.flatMap { r -> RolloutExecutor.Previous? in
                    guard let applied = ResolvedDeployment.fromStored(r.appliedSpec), let rev = r.appliedRevision else { return nil }
                    return RolloutExecutor.Previous(spec: applied, revision: rev)
                }
                let changes: [FieldChange]
                let isScale: Bool
                switch step.action {
                case let .update(c): (changes, isScale) = (c, false)
                case let .scale(_, _, c): (changes, isScale) = (c, true)
                default: (changes, isScale) = ([], false)
                }
                rollouts[name] = Task { [executor] in
                    await executor.run(spec: spec, revision: revision, previous: previous, changes: changes, scale: isScale)
                    self.rolloutFinished(name)
                }

            case .noop:
                guard let spec = step.desired else { continue }
                // Git went back to what is serving while a rollout was under way: cancel it.
                await abandonRollout(of: name, keeping: spec, reason: "Git returned to the serving spec at \(short(revision))")
                saveDesired(spec, revision: revision, existing: record)
                refreshHealth(of: name)

            case let .quarantined(reason):
                guard let spec = step.desired else { continue }
                await abandonRollout(of: name, keeping: record.flatMap { ResolvedDeployment.fromStored($0.appliedSpec) },
                                     reason: "Git returned to a quarantined spec at \(short(revision))")
                saveDesired(spec, revision: revision, existing: record)
                context.persist("the quarantine of \(name)") { try $0.updateDeployment(named: name) { d in
                    d.sync = .outOfSync
                    d.health = .degraded
                    d.message = "spec \(spec.specHash.prefix(12)) failed before (\(reason)); not retried until Git changes it"
                } }

            case .suspended:
                guard let spec = step.desired else { continue }
                await abandonRollout(of: name, keeping: record.flatMap { ResolvedDeployment.fromStored($0.appliedSpec) },
                                     reason: "suspended in Git at \(short(revision))")
                saveDesired(spec, revision: revision, existing: record)
                context.persist("the suspension of \(name)") { try $0.updateDeployment(named: name) { d in
                    d.health = .suspended
                    d.message = "suspended in Git: the controller leaves it alone"
                } }
            }
        }
        garbageCollectExports()
    }

    /// Writes the desired spec and revision of a deployment, creating its record if new.
    private func saveDesired(_ spec: ResolvedDeployment, revision: String, existing: DeploymentRecord?) {
        if var record = existing {
            record.desiredSpec = spec.storedJSON
            record.desiredSpecHash = spec.specHash
            record.desiredRevision = revision
            record.desiredReplicas = spec.replicas
            record.suspended = spec.suspend
            if record.appliedSpecHash == spec.specHash {
                record.sync = .synced
                if record.quarantinedSpecHash != nil {
                    record.quarantinedSpecHash = nil
                    record.quarantineReason = nil
                }
            } else {
                record.sync = .outOfSync
            }
            context.persist("the desired spec of \(spec.name)") { try $0.upsertDeployment(record) }
        } else {
            context.persist("the new deployment \(spec.name)") { try $0.upsertDeployment(DeploymentRecord(
                name: spec.name, desiredSpec: spec.storedJSON, desiredSpecHash: spec.specHash,
                desiredRevision: revision, sync: .outOfSync, health: .missing,
                message: "not deployed yet", desiredReplicas: spec.replicas, suspended: spec.suspend)) }
        }
    }

    /// Stops replicas of a deployment that belong to neither of `keeping`'s generations
    /// (left by a superseded or interrupted rollout).
    func stopStrayGenerations(of name: String, keeping: [ResolvedDeployment?]) async {
        let keep = Set(keeping.compactMap { $0.map(ReplicaRenderer.generation(of:)) })
        let stray = ((try? context.store.replicas(of: name)) ?? []).filter { !keep.contains($0.generation) }
        guard !stray.isEmpty else { return }
        await RolloutExecutor(context: context).stop(stray, why: "superseded")
    }

    /// Deployments out of sync with nothing under way to fix it and no quarantine — which
    /// in steady state happens only after `mooring sync --retry` lifted one — or `nil`.
    private func retryRequested() -> [String]? {
        let idle = ((try? context.store.deployments()) ?? []).filter {
            !$0.suspended && $0.quarantinedSpecHash == nil && $0.desiredSpecHash != $0.appliedSpecHash
                && rollouts[$0.name] == nil
        }
        return idle.isEmpty ? nil : idle.map(\.name)
    }

    /// Cancels a rollout under way for `name` (if any), stops the replicas it started
    /// (everything but `keeping`'s generation) and closes its record as superseded.
    func abandonRollout(of name: String, keeping: ResolvedDeployment?, reason: String) async {
        guard rollouts[name] != nil else { return }
        await cancelRollout(of: name)
        await stopStrayGenerations(of: name, keeping: [keeping])
        if let open = try? context.store.inProgressRollout(of: name), let id = open.id {
            context.persist("the end of \(name)'s rollout") { try $0.finishRollout(id: id, outcome: .superseded, reason: reason) }
        }
    }

    func cancelRollout(of name: String) async {
        guard let task = rollouts.removeValue(forKey: name) else { return }
        task.cancel()
        await task.value
    }

    func rolloutFinished(_ name: String) {
        rollouts[name] = nil
    }

    func isRollingOut(_ name: String) -> Bool { rollouts[name] != nil }

    /// Marks every deployment's desired revision after a commit that left the manifests unchanged.
    private func markDesiredRevision(_ revision: String) {
        guard let records = try? context.store.deployments() else { return }
        for record in records where record.desiredRevision != revision {
            context.persist("the desired revision of \(record.name)") { try $0.updateDeployment(named: record.name) { $0.desiredRevision = revision } }
        }
    }

    private func sourceFailed(_ message: String, reason: String) {
        context.persist("the source's error") { try $0.updateSource { s in
            s.lastError = message
            s.lastErrorAt = Date()
            s.nextFetchAt = Date().addingTimeInterval(context.configuration.interval.seconds)
        } }
        if message != lastSourceError {
            context.event(.warning, reason, message)
            lastSourceError = message
        }
    }

    /// Clears the source's error — a write only when there was one (not at every poll).
    private func sourceRecovered() {
        guard lastSourceError != nil else { return }
        lastSourceError = nil
        context.persist("the source's recovery") { try $0.updateSource { s in s.lastError = nil } }
        context.event(.normal, "SourceRecovered", "the source is readable and valid again")
    }

    private func garbageCollectExports() {
        var keep = Set<ObjectID>()
        for replica in (try? context.store.replicas()) ?? [] {
            if let id = ObjectID(hex: replica.revision) { keep.insert(id) }
        }
        for record in (try? context.store.deployments()) ?? [] {
            for revision in [record.appliedRevision, record.attemptedRevision, record.desiredRevision].compactMap({ $0 }) {
                if let id = ObjectID(hex: revision) { keep.insert(id) }
            }
        }
        do {
            let removed = try context.source.garbageCollectExports(in: context.layout.revisions, keeping: keep)
            if !removed.isEmpty { context.logger.debug("removed \(removed.count) unused revision exports") }
        } catch {
            context.logger.warning("cannot garbage-collect revision exports: \(error)")
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
