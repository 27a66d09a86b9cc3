import Foundation

/// The few pieces of HTML the status page is made of. Every string that comes from the
/// store, Git or a manifest goes through ``HTML/escape(_:)``.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped: safe as element text and inside a
    /// quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page: the title escaped, `body` already HTML. It reloads itself every five
    /// seconds; no script, nothing fetched from elsewhere.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="refresh" content="5">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// A status word in a coloured badge, as Argo CD colours them.
    static func badge(_ word: String) -> String {
        "<span class=\"badge \(colour(of: word))\">\(escape(word))</span>"
    }

    /// The colour class of a sync or health word: Synced and Healthy green, OutOfSync
    /// yellow, Progressing blue, Degraded red, everything else (Suspended, Missing,
    /// Unknown) grey.
    static func colour(of word: String) -> String {
        switch word {
        case "Synced", "Healthy", "Succeeded", "Normal": "green"
        case "OutOfSync", "Warning": "yellow"
        case "Progressing", "InProgress": "blue"
        case "Degraded", "Failed", "RolledBack": "red"
        default: "grey"
        }
    }

    /// The first seven characters of a commit, with the full one as its tooltip; `–` for none.
    static func revision(_ commit: String?) -> String {
        guard let commit, !commit.isEmpty else { return "<span class=\"none\">–</span>" }
        return "<code title=\"\(escape(commit))\">\(escape(String(commit.prefix(7))))</code>"
    }

    /// A time in UTC, ISO 8601 (`2026-11-23 19:42:04Z`), and how long ago it was.
    static func time(_ date: Date?, now: Date) -> String {
        guard let date else { return "<span class=\"none\">never</span>" }
        let formatter = ISO8601DateFormatter()
        let text = formatter.string(from: date).replacingOccurrences(of: "T", with: " ")
        return "<time datetime=\"\(escape(formatter.string(from: date)))\">\(escape(text))</time> <span class=\"ago\">(\(escape(ago(date, now: now))))</span>"
    }

    /// `12s ago`, `5m ago`, `3h ago`, `2d ago`; `in 30s` for a time to come.
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded())
        let magnitude = abs(seconds)
        let text = switch magnitude {
        case ..<60: "\(magnitude)s"
        case ..<3600: "\(magnitude / 60)m"
        case ..<86400: "\(magnitude / 3600)h"
        default: "\(magnitude / 86400)d"
        }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }

    /// `url` without the user and password of its authority, if it has any.
    static func withoutCredentials(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }

    /// The web page of `commit` in `repo`, when the repository is an http(s) URL
    /// (`https://host/owner/name(.git)` → `…/owner/name/commit/SHA`, which GitHub, Gitea
    /// and GitLab all answer); nil otherwise.
    static func commitURL(repo: String, commit: String) -> String? {
        let clean = withoutCredentials(repo)
        guard let url = URLComponents(string: clean), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host?.isEmpty == false,
              commit.allSatisfy(\.isHexDigit) else { return nil }
        var base = clean
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix(".git") { base.removeLast(4) }
        return "\(base)/commit/\(commit)"
    }

    /// The page's look: plain CSS, no web fonts.
    static let style = """
    body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1f2933;background:#f7f9fb}
    h1{font-size:1.4rem;margin:0 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
    a{color:#0b6bcb;text-decoration:none}a:hover{text-decoration:underline}
    table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08)}
    th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e4e9ee;vertical-align:top;font-size:.9rem}
    th{background:#eef2f6;font-weight:600}
    dl.source{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem;background:#fff;padding:.8rem 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
    dt{font-weight:600}dd{margin:0}
    .badge{display:inline-block;padding:.1rem .5rem;border-radius:.8rem;color:#fff;font-size:.8rem;font-weight:600}
    .green{background:#18be94}.yellow{background:#f4c030;color:#1f2933}.blue{background:#0dadea}.red{background:#e96d76}.grey{background:#8fa4b1}
    .error{color:#b3261e;white-space:pre-wrap;margin:0;font-family:ui-monospace,monospace;font-size:.85rem}
    .none,.ago{color:#7b8794}.message{max-width:40rem}
    footer{margin-top:1.5rem;color:#7b8794;font-size:.8rem}
    """
}
