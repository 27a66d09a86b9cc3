import Foundation

/// `BENCHMARKS.md`: each part of the benchmark owns one section between markers and
/// rewrites only that section, so parts can be run (and added) independently.
enum BenchmarksFile {
    /// Replaces the section `name` of the file at `url` with `body` (appending it when
    /// the file or the section does not exist yet).
    static func write(section name: String, _ body: String, to url: URL) throws {
        let begin = "<!-- begin \(name) (written by make bench) -->"
        let end = "<!-- end \(name) -->"
        let block = begin + "\n" + body.trimmingCharacters(in: .newlines) + "\n" + end
        var text = (try? String(contentsOf: url, encoding: .utf8))
            ?? "# Benchmarks\n\nWritten by `make bench` (release build). Figures are median [min–max] over the runs stated.\n"
        if let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) {
            text.replaceSubrange(start.lowerBound..<stop.upperBound, with: block)
        } else {
            text += (text.hasSuffix("\n\n") ? "" : "\n") + block + "\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// One line describing the machine the figures were measured on.
    static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(cpu ?? "unknown CPU"), \(ProcessInfo.processInfo.activeProcessorCount) cores, Linux \(kernel)"
    }
}

/// Samples of one figure.
struct Samples {
    var values: [Duration] = []

    mutating func append(_ value: Duration) { values.append(value) }

    /// `median [min–max]` in milliseconds.
    var summary: String {
        let sorted = values.sorted()
        guard let first = sorted.first, let last = sorted.last else { return "no runs" }
        func ms(_ d: Duration) -> String { String(format: "%.0f", d / .milliseconds(1)) }
        return "\(ms(sorted[sorted.count / 2])) ms [\(ms(first))–\(ms(last))]"
    }
}
