import Foundation
import MooringStore

/// The columns of `mooring history -o csv`, in order (documented in docs/cli.md).
let rolloutCSVColumns = ["id", "deployment", "revision", "from_revision", "started_at", "finished_at", "outcome", "reason",
                         "strategy", "author", "committer", "subject", "pull_request", "signer", "spec_diff"]

/// RFC 4180 CSV of `rollouts`, a header line first; `spec_diff` is the changed fields
/// joined with `;`.
func rolloutCSV(_ rollouts: [RolloutRecord]) -> String {
    var lines = [rolloutCSVColumns.joined(separator: ",")]
    for r in rollouts {
        let fields: [String] = [
            r.id.map(String.init) ?? "", r.deployment, r.revision, r.fromRevision ?? "", iso(r.startedAt),
            r.finishedAt.map(iso) ?? "", r.outcome.rawValue, r.reason ?? "", r.strategy.rawValue,
            r.author ?? "", r.committer ?? "", r.subject ?? "", r.pullRequest.map(String.init) ?? "", r.signer ?? "",
            r.specDiff.joined(separator: ";"),
        ]
        lines.append(fields.map(csvField).joined(separator: ","))
    }
    return lines.joined(separator: "\r\n") + "\r\n"
}

/// Quotes a field when it holds a comma, a quote or a line break (quotes doubled).
private func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
