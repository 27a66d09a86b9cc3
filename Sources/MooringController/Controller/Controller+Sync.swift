import Foundation
import MooringStore

/// What one applied Git observation changed, in the words `mooring sync` prints:
/// deployments added, changed (a new spec to roll out), removed, or held by a rejected commit.
struct SyncChanges: Sendable, Equatable {
    /// The facts compared, per deployment.
    struct Snapshot: Sendable, Equatable {
        struct Entry: Sendable, Equatable {
            var desiredHash: String
            var removing: Bool
            var rejection: String?
        }
        var entries: [String: Entry]

        init(_ machines: [String: DeploymentMachine]) {
            entries = machines.mapValues { Entry(desiredHash: $0.desired.hash, removing: $0.removing, rejection: $0.rejection) }
        }

        init(entries: [String: Entry]) {
            self.entries = entries
        }
    }

    var added: [String] = []
    var changed: [String] = []
    var removed: [String] = []
    var rejected: [String] = []

    init(before: Snapshot, after: Snapshot) {
        for (name, now) in after.entries.sorted(by: { $0.key < $1.key }) {
            guard let was = before.entries[name] else {
                added.append(name)
                continue
            }
            if now.removing && !was.removing {
                removed.append(name)
            } else if now.desiredHash != was.desiredHash {
                changed.append(name)
            }
            if now.rejection != nil && now.rejection != was.rejection { rejected.append(name) }
        }
        removed += before.entries.keys.filter { after.entries[$0] == nil }.sorted()
    }

    var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty && rejected.isEmpty }

    /// "iris rolling out, wine added, old removed", or nil when nothing changed.
    var description: String? {
        let parts = changed.map { "\($0) rolling out" } + added.map { "\($0) added" }
            + removed.map { "\($0) removed" } + rejected.map { "\($0) held by the rejected commit" }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

extension Controller {
    /// Answers the `mooring sync` requests that waited for a poll numbered above their mark,
    /// now that poll `number` has been applied: which commit it fetched and what changed.
    func answerSyncs(afterPoll number: Int, source: SourceRecord?) async {
        let changes = lastChanges
        lastChanges = nil
        let due = syncsAwaitingPoll.filter { $0.afterPoll < number }
        guard !due.isEmpty else { return }
        syncsAwaitingPoll.removeAll { $0.afterPoll < number }
        let rollingOut = machines.values.filter { machine in
            machine.rollout.map { !$0.phase.isTerminal } ?? false
        }.map(\.name).sorted()
        let answer = Self.syncAnswer(source: source, changes: changes, rollingOut: rollingOut)
        await context.persist("the answers to `mooring sync`") { tx in
            for request in due { try tx.completeIntent(request.id, outcome: answer) }
        }
    }

    /// The one line `mooring sync` prints for a poll.
    /// `rollingOut` names the rollouts under way (begun by this poll or an earlier one).
    static func syncAnswer(source: SourceRecord?, changes: SyncChanges?, rollingOut: [String]) -> String {
        guard let source else { return "fetched; the state store could not be read for the result — `mooring status` shows it" }
        if let error = source.lastError, let failedAt = source.lastErrorAt, failedAt >= (source.lastFetchAt ?? .distantPast) {
            return "error: \(error); nothing changed on the host"
        }
        var line = "fetched"
        if let commit = source.lastFetchedCommit {
            line += " \(short(commit))"
            if let subject = source.lastFetchedSubject, !subject.isEmpty {
                line += " \"\(subject.count > 60 ? subject.prefix(59) + "…" : Substring(subject))\""
            }
        }
        line += ": "
        if let changed = changes?.description {
            line += changed
        } else if rollingOut.isEmpty {
            line += "no deployment changed"
        } else {
            // An earlier poll (the timer, a webhook) found the change first.
            line += "nothing new since the last poll; " + rollingOut.map { "\($0) rolling out" }.joined(separator: ", ")
        }
        return line
    }
}
