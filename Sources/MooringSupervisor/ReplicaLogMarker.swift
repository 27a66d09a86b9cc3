import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lines the supervisor writes into a replica's log itself, each starting with a UTC
/// timestamp: one before every process it starts, so `mooring logs --previous` can tell one
/// process's output from the next (`2026-11-23T19:42:04.125Z mooring: starting iris/3f2a9c/0 (python3)`).
public enum ReplicaLogMarker {
    /// What follows the timestamp on a start line.
    static let startWord = " mooring: starting "

    /// The start line for `id` at `time`, with its newline.
    public static func startLine(_ id: ReplicaID, program: String, at time: Date = Date()) -> String {
        "\(timestamp(time))\(startWord)\(id) (\(program))\n"
    }

    /// `2026-11-23T19:42:04.125Z` (UTC, milliseconds truncated), written digit by digit: a
    /// formatter made per line cost more than the rest of a replica's spawn.
    public static func timestamp(_ time: Date) -> String {
        let interval = time.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var millis = Int(((interval - Double(seconds)) * 1000).rounded(.down))
        if millis >= 1000 { seconds += 1; millis -= 1000 }
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "1970-01-01T00:00:00.000Z" }
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(Int(parts.tm_year) + 1900, 4))-\(digits(Int(parts.tm_mon) + 1, 2))-\(digits(Int(parts.tm_mday), 2))"
            + "T\(digits(Int(parts.tm_hour), 2)):\(digits(Int(parts.tm_min), 2)):\(digits(Int(parts.tm_sec), 2)).\(digits(millis, 3))Z"
    }

    /// Whether `line` is a start line the supervisor wrote.
    public static func isStartLine(_ line: Substring) -> Bool {
        guard let space = line.firstIndex(of: " "), line[..<space].hasSuffix("Z"),
              line[..<space].first?.isNumber == true else { return false }
        return line[space...].hasPrefix(startWord)
    }

    /// The output of the process before the last one in `log` (the log's lines, oldest
    /// first, rotated files included): from the second-to-last start line up to the last;
    /// or, when the log has only one start line, whatever precedes it (a log written
    /// before start lines existed). Nil when there is no previous process.
    public static func previousProcess(in lines: [Substring]) -> [Substring]? {
        let starts = lines.indices.filter { isStartLine(lines[$0]) }
        guard let last = starts.last else { return nil }
        let first = starts.count >= 2 ? starts[starts.count - 2] : 0
        guard first < last else { return nil }
        return Array(lines[first..<last])
    }

    /// Writes the start line to the open log `descriptor` (best effort: a log that cannot
    /// be written loses the line, never the process).
    static func writeStart(_ id: ReplicaID, program: String, to descriptor: Int32) {
        let bytes = Array(startLine(id, program: program).utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
