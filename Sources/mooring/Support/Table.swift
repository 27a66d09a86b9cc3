import Foundation

/// Renders rows as left-aligned columns separated by two spaces, like `kubectl get`.
/// A cell's line breaks (a message quoting log lines) become spaces: one row, one line.
func renderTable(_ header: [String], _ rows: [[String]]) -> String {
    let rows = rows.map { $0.map { cell in
        cell.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    } }
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count {
            widths[index] = max(widths[index], cell.count)
        }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
}

/// `45s`, `12m`, `3h`, `2d`: how long ago (or until, for negative intervals) a date is.
func age(since date: Date?, now: Date = Date()) -> String {
    guard let date else { return "-" }
    let seconds = Int(now.timeIntervalSince(date).rounded())
    return compactDuration(abs(seconds))
}

func compactDuration(_ seconds: Int) -> String {
    switch seconds {
    case ..<60: return "\(seconds)s"
    case ..<3600: return "\(seconds / 60)m"
    case ..<86_400: return "\(seconds / 3600)h"
    default: return "\(seconds / 86_400)d"
    }
}

/// The 7-character form of a commit id.
func shortRevision(_ revision: String?) -> String {
    guard let revision, !revision.isEmpty else { return "-" }
    return String(revision.prefix(7))
}

/// JSON with sorted keys and ISO 8601 dates: the stable machine-readable form.
func stableJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}
