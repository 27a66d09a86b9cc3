import Foundation
import MooringStatus
import MooringStore

extension StatusPage {
    /// `/deployments/{name}`: the deployment's status, its last rollouts (newest first) and
    /// its events (newest first).
    static func deployment(_ d: StatusReport.Deployment, source: StatusReport.Source?,
                           rollouts: [RolloutRecord], events: [EventRecord], now: Date) -> String {
        var body = "<p><a href=\"/\">← all deployments</a></p>\n<h1>\(HTML.escape(d.name))</h1>\n"
        let facts: [(String, String)] = [
            ("Sync", HTML.badge(d.sync)),
            ("Health", HTML.badge(d.health) + (d.rolloutPhase.map { " <span class=\"none\">rollout \(HTML.escape($0))</span>" } ?? "")),
            ("Ready", "\(d.readyReplicas)/\(d.replicas)"),
            ("Desired revision", HTML.revision(d.desiredRevision)),
            ("Attempted revision", HTML.revision(d.attemptedRevision)),
            ("Applied revision", HTML.revision(d.appliedRevision)),
            ("Model version", d.modelVersion.map(HTML.escape) ?? "<span class=\"none\">–</span>"),
            ("Endpoint", endpoint(d.endpoint)),
            ("Message", HTML.escape(d.message)),
            ("Created", HTML.time(d.createdAt, now: now)),
            ("Updated", HTML.time(d.updatedAt, now: now)),
        ]
        body += "<dl class=\"source\" id=\"status\">\n" + facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>\n" }.joined() + "</dl>\n"
        body += "<h2>Rollouts</h2>\n" + rolloutTable(rollouts, repo: source?.repo, now: now)
        body += "<h2>Events</h2>\n" + eventTable(events, now: now)
        body += footer(now: now)
        return HTML.page(title: "\(d.name) – Mooring", body: body)
    }

    static func rolloutTable(_ rollouts: [RolloutRecord], repo: String?, now: Date) -> String {
        guard !rollouts.isEmpty else { return "<p class=\"none\">No rollouts yet.</p>\n" }
        var html = """
        <table id="rollouts">
        <thead><tr><th>Started</th><th>Revision</th><th>From</th><th>Strategy</th><th>Phase</th><th>Outcome</th><th>Finished</th><th>Reason</th><th>Commit</th></tr></thead>
        <tbody>

        """
        for r in rollouts {
            let revision = HTML.revision(r.revision)
            let linked = repo.flatMap { HTML.commitURL(repo: $0, commit: r.revision) }.map { "<a href=\"\(HTML.escape($0))\">\(revision)</a>" } ?? revision
            var commit = r.subject.map(HTML.escape) ?? ""
            if let author = r.author { commit += " <span class=\"none\">by \(HTML.escape(author))</span>" }
            if let pullRequest = r.pullRequest { commit += " <span class=\"none\">(#\(pullRequest))</span>" }
            html += """
            <tr class="rollout"><td>\(HTML.time(r.startedAt, now: now))</td><td>\(linked)</td><td>\(HTML.revision(r.fromRevision))</td>\
            <td>\(HTML.escape(r.strategy.rawValue))</td><td>\(HTML.escape(r.phase.rawValue))</td>\
            <td>\(HTML.badge(r.outcome.rawValue))</td><td>\(r.finishedAt.map { HTML.time($0, now: now) } ?? "<span class=\"none\">–</span>")</td>\
            <td class="message">\(HTML.escape(r.reason ?? ""))</td><td class="message">\(commit)</td></tr>

            """
        }
        return html + "</tbody>\n</table>\n"
    }

    static func eventTable(_ events: [EventRecord], now: Date) -> String {
        guard !events.isEmpty else { return "<p class=\"none\">No events.</p>\n" }
        var html = """
        <table id="events">
        <thead><tr><th>Time</th><th>Type</th><th>Reason</th><th>Message</th></tr></thead>
        <tbody>

        """
        for e in events {
            html += """
            <tr class="event"><td>\(HTML.time(e.time, now: now))</td><td>\(HTML.badge(e.type.rawValue))</td>\
            <td>\(HTML.escape(e.reason))</td><td class="message">\(HTML.escape(e.message))</td></tr>

            """
        }
        return html + "</tbody>\n</table>\n"
    }
}
