/// Parses `500ms`, `30s`, `5m`, `1h`, `90d` (a whole or decimal number and a unit).
public func parseDurationText(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        // "5m" must not be read as "5" + "m" of "ms": checked in order, ms first.
        guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
        return .milliseconds(Int64(value * scale * 1000))
    }
    return nil
}

/// Parses `FIRST-LAST` with 1 ≤ FIRST ≤ LAST ≤ 65535 (or one port).
public func parsePortRange(_ text: String) -> ClosedRange<Int>? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard (1...2).contains(parts.count), let first = parts.first ?? nil, let last = parts.last ?? nil,
          first >= 1, first <= last, last <= 65535 else { return nil }
    return first...last
}

import Foundation
