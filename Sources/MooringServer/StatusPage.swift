import Foundation
import MooringStatus
import MooringStore

/// The read-only status page at `/` and `/deployments/{name}`, built from the same
/// ``StatusReport`` `GET /api/v1/status` serves. Plain HTML that reloads itself every five
/// seconds; every string from the store is escaped.
enum StatusPage {
    /// `/`: the source header, then one row per deployment.
    static func overview(_ report: StatusReport, now: Date) -> String {
        var body = "<h1>Mooring</h1>\n" + sourceHeader(report.source, now: now)
        body += "<h2>Deployments</h2>\n"
        if report.deployments.isEmpty {
            body += "<p class=\"none\">No deployments yet: the controller has not applied a commit with a manifest.</p>\n"
        } else {
            body += """
            <table id="deployments">
            <thead><tr><th>Name</th><th>Sync</th><th>Health</th><th>Ready</th><th>Desired</th><th>Attempted</th><th>Applied</th><th>Version</th><th>Endpoint</th><th>Message</th></tr></thead>
            <tbody>

            """
            for deployment in report.deployments { body += row(deployment) }
            body += "</tbody>\n</table>\n"
        }
        body += footer(now: now)
        return HTML.page(title: "Mooring status", body: body)
    }

    /// One deployment's row; its `id` is `deployment-NAME`.
    static func row(_ d: StatusReport.Deployment) -> String {
        let name = HTML.escape(d.name)
        return """
        <tr id="deployment-\(name)" class="deployment"><td><a href="/deployments/\(percentEncoded(d.name))">\(name)</a></td>\
        <td>\(HTML.badge(d.sync))</td><td>\(HTML.badge(d.health))\(d.rolloutPhase.map { " <span class=\"none\">\(HTML.escape($0))</span>" } ?? "")</td>\
        <td>\(d.readyReplicas)/\(d.replicas)</td>\
        <td>\(HTML.revision(d.desiredRevision))</td><td>\(HTML.revision(d.attemptedRevision))</td><td>\(HTML.revision(d.appliedRevision))</td>\
        <td>\(d.modelVersion.map(HTML.escape) ?? "<span class=\"none\">–</span>")</td>\
        <td>\(endpoint(d.endpoint))</td>\
        <td class="message">\(HTML.escape(d.message))</td></tr>

        """
    }

    /// The repository, branch, last fetched commit (linked when the repository is an
    /// http(s) URL), last and next fetch, the controller, and any error.
    static func sourceHeader(_ source: StatusReport.Source?, now: Date) -> String {
        guard let source else {
            return "<p class=\"none\">No source recorded yet: the controller has not fetched.</p>\n"
        }
        let repo = HTML.withoutCredentials(source.repo)
        var commit = "<span class=\"none\">not fetched yet</span>"
        if let sha = source.commit {
            let short = HTML.revision(sha)
            commit = HTML.commitURL(repo: repo, commit: sha).map { "<a href=\"\(HTML.escape($0))\">\(short)</a>" } ?? short
            if let subject = source.subject { commit += " " + HTML.escape(subject) }
            if source.tipRejected { commit += " " + HTML.badge("Rejected") }
        }
        var rows = [
            ("Repository", HTML.escape(repo)),
            ("Branch", HTML.escape(source.branch) + (source.path.isEmpty || source.path == "." ? "" : " <span class=\"none\">path</span> " + HTML.escape(source.path))),
            ("Commit", commit),
            ("Last fetch", HTML.time(source.lastFetch, now: now)),
        ]
        if let next = source.nextFetch { rows.append(("Next fetch", HTML.time(next, now: now))) }
        rows.append(("Controller", source.controllerRunning
            ? "running" + (source.controllerPid.map { " (pid \($0))" } ?? "")
            : "<span class=\"badge red\">not running</span> nothing changes until <code>mooring run</code> starts"))
        if let error = source.error { rows.append(("Error", "<pre class=\"error\">\(HTML.escape(error))</pre>")) }
        if let error = source.storeError { rows.append(("State store", "<pre class=\"error\">\(HTML.escape(error))</pre>")) }
        return "<dl class=\"source\" id=\"source\">\n" + rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>\n" }.joined() + "</dl>\n"
    }

    /// The endpoint as a link when it is an http(s) URL.
    static func endpoint(_ endpoint: String?) -> String {
        guard let endpoint else { return "<span class=\"none\">–</span>" }
        let lower = endpoint.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return HTML.escape(endpoint) }
        return "<a href=\"\(HTML.escape(endpoint))\">\(HTML.escape(endpoint))</a>"
    }

    static func footer(now: Date) -> String {
        "<footer>Rendered \(HTML.time(now, now: now)); this page reloads every 5 s. JSON: <a href=\"/api/v1/status\">/api/v1/status</a></footer>\n"
    }

    /// A deployment name as one path segment.
    static func percentEncoded(_ name: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }
}
