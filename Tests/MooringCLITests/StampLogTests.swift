import Foundation
import MooringTesting
import Testing

/// `mooring-stamp-log` (the small C stamper `mooring run` starts per replica, built beside
/// `mooring`) writes exactly what `mooring __stamp-log` writes, but for the timestamps: a
/// UTC timestamp on every line, whole lines only, a partial last line ended, a line longer
/// than 64 KiB split.
struct StampLogTests {
    static var stamperPath: String {
        URL(fileURLWithPath: MooringBinary.path).deletingLastPathComponent().appendingPathComponent("mooring-stamp-log").path
    }

    /// Each line without its `YYYY-MM-DDTHH:MM:SS.mmmZ ` prefix; nil when a line lacks it.
    static func unstamped(_ output: String) -> [String]? {
        var lines: [String] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let bytes = Array(line.utf8)
            guard bytes.count >= 25, bytes[24] == UInt8(ascii: " "), bytes[23] == UInt8(ascii: "Z"),
                  bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "."),
                  bytes[..<4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            lines.append(String(decoding: bytes[25...], as: UTF8.self))
        }
        return lines
    }

    @Test func theCStamperWritesWhatTheSwiftOneWrites() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.stamperPath),
                "no mooring-stamp-log beside \(MooringBinary.path): building mooring builds it")
        let directory = try TemporaryDirectory(prefix: "stamp-log")
        defer { directory.remove() }
        let input = directory.url.appendingPathComponent("input")
        // Short lines, an empty one, a line of 70,000 bytes, and no newline at the end.
        let text = "first line\nsecond\n\n" + String(repeating: "x", count: 70_000) + "\nno newline at the end"
        try Data(text.utf8).write(to: input)
        let c = try runCommand("/bin/sh", ["-c", "\"$0\" < \"$1\"", Self.stamperPath, input.path])
        let swift = try runCommand("/bin/sh", ["-c", "\"$0\" __stamp-log < \"$1\"", MooringBinary.path, input.path])
        #expect(c.status == 0 && swift.status == 0, "\(c.output) \(swift.output)")
        let fromC = try #require(Self.unstamped(c.stdout), "\(c.stdout.prefix(300))")
        let fromSwift = try #require(Self.unstamped(swift.stdout), "\(swift.stdout.prefix(300))")
        #expect(fromC == fromSwift)
        #expect(fromC.first == "first line" && fromC.last == "no newline at the end" && fromC.contains(""))
        #expect(c.stdout.hasSuffix("\n"))
        // The long line is split: no stamped line is longer than 64 KiB.
        #expect(c.stdout.split(separator: "\n").allSatisfy { $0.utf8.count <= 65_536 })
        #expect(fromC.count == 6, "\(fromC.map(\.count))")
    }

    @Test func theStampIsTheCurrentUTCTime() throws {
        let before = Date().addingTimeInterval(-1)
        let result = try runCommand("/bin/sh", ["-c", "echo hello | \"$0\"", Self.stamperPath])
        let after = Date().addingTimeInterval(1)
        let stamp = String(result.stdout.prefix(24))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let time = try #require(formatter.date(from: stamp), "\(result.stdout)")
        #expect(time >= before && time <= after, "\(stamp)")
        #expect(result.stdout.dropFirst(25) == "hello\n")
    }
}
