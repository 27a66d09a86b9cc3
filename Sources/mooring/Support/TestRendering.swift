import Foundation
import MooringController
import MooringModelChecks

/// `mooring test`'s output: a table, GitHub workflow annotations, a Markdown table or
/// JUnit XML — one row (test case) per check of each deployment.
enum TestRendering {
    struct Row {
        var deployment: String
        var check: String
        var passed: Bool
        var latency: String
        var detail: String
        var seconds: Double
    }

    static func rows(_ report: ModelTestSession.Report) -> [Row] {
        var rows: [Row] = []
        for deployment in report.deployments {
            if let failure = deployment.failure {
                rows.append(Row(deployment: deployment.name, check: "(start)", passed: false, latency: "-", detail: failure, seconds: 0))
            }
            for result in deployment.results {
                let latency = result.latencyMillis.map { "\(Int($0.rounded())) ms \(result.latencyStatistic.rawValue)" } ?? "-"
                rows.append(Row(deployment: deployment.name, check: result.name, passed: result.passed, latency: latency,
                                detail: result.detail ?? "", seconds: (result.latencyMillis ?? 0) * Double(result.calls) / 1000))
            }
        }
        return rows
    }

    static func render(_ report: ModelTestSession.Report, format: Mooring.Test.Format) -> String {
        switch format {
        case .table: return table(report)
        case .github: return github(report)
        case .markdown: return markdown(report)
        case .junit: return junit(report)
        }
    }

    static func summary(_ report: ModelTestSession.Report) -> String {
        let rows = rows(report)
        let failed = rows.filter { !$0.passed }.count
        var text = "\(rows.count - failed) of \(rows.count) check\(rows.count == 1 ? "" : "s") passed at \(report.commit.id.short)"
        if let base = report.base { text += " (against \(base.id.short))" }
        if !report.untested.isEmpty { text += "; without spec.tests: \(report.untested.joined(separator: ", "))" }
        if rows.isEmpty && report.untested.isEmpty { text += "; no deployment to test" }
        return text
    }

    static func table(_ report: ModelTestSession.Report) -> String {
        let cells = rows(report).map { [$0.deployment, $0.check, $0.passed ? "pass" : "FAIL", $0.latency, $0.detail] }
        return (cells.isEmpty ? "" : renderTable(["DEPLOYMENT", "CHECK", "RESULT", "LATENCY", "EXPECTED / GOT"], cells) + "\n") + summary(report)
    }

    /// `::error title=…::message` lines GitHub Actions turns into annotations, then the table.
    static func github(_ report: ModelTestSession.Report) -> String {
        var lines: [String] = []
        for row in rows(report) where !row.passed {
            lines.append("::error title=\(escapeProperty("model test \(row.deployment)/\(row.check)"))::\(escapeData(row.detail))")
        }
        lines.append(table(report))
        return lines.joined(separator: "\n")
    }

    static func markdown(_ report: ModelTestSession.Report) -> String {
        var lines = ["| Deployment | Check | Result | Latency | Expected / got |", "|---|---|---|---|---|"]
        for row in rows(report) {
            lines.append("| \(cell(row.deployment)) | \(cell(row.check)) | \(row.passed ? "✅ pass" : "❌ fail") | \(row.latency) | \(cell(row.detail)) |")
        }
        lines.append("")
        lines.append(summary(report))
        return lines.joined(separator: "\n")
    }

    /// One `<testsuite>` per deployment, one `<testcase>` per check.
    static func junit(_ report: ModelTestSession.Report) -> String {
        let all = rows(report)
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#,
                     "<testsuites name=\"mooring test\" tests=\"\(all.count)\" failures=\"\(all.filter { !$0.passed }.count)\">"]
        for deployment in report.deployments {
            let mine = all.filter { $0.deployment == deployment.name }
            lines.append("  <testsuite name=\"\(xml(deployment.name))\" tests=\"\(mine.count)\" failures=\"\(mine.filter { !$0.passed }.count)\" errors=\"0\">")
            for row in mine {
                let open = "    <testcase classname=\"\(xml(deployment.name))\" name=\"\(xml(row.check))\" time=\"\(String(format: "%.3f", row.seconds))\""
                if row.passed {
                    lines.append(open + (row.detail.isEmpty ? "/>" : "><system-out>\(xml(row.detail))</system-out></testcase>"))
                } else {
                    lines.append(open + ">")
                    lines.append("      <failure message=\"\(xml(row.detail))\">\(xml("latency \(row.latency): \(row.detail)"))</failure>")
                    lines.append("    </testcase>")
                }
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n")
    }

    /// Text escaped for XML attributes and content; characters XML 1.0 cannot hold are dropped.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                let v = scalar.value
                if v >= 0x20 && !(0xFFFE...0xFFFF).contains(v) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    private static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
