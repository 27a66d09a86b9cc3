import CLibYAML
import Foundation
import MooringManifests

/// Manifest decoding on its own (no Git, an in-memory repository): the figure issue 14
/// asks of `validate` without the process start and directory walk around it. Written to
/// the `manifests-decode` section of BENCHMARKS.md; `mooring-bench decode` runs only this.
enum DecodeBench {
    static func run(files: [ManifestFile], repository: some RepositoryView) -> String {
        let clock = ContinuousClock()
        func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }
        func summary(_ values: [Double]) -> String {
            let sorted = values.sorted()
            return String(format: "%.1f ms [%.1f–%.1f]", sorted[sorted.count / 2], sorted[0], sorted[sorted.count - 1])
        }
        let lines = files.reduce(0) { $0 + $1.contents.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
        let bytes = files.reduce(0) { $0 + $1.contents.count }
        _ = ManifestSet.load(files: files, repository: repository) // warm up
        var decode: [Double] = []
        for _ in 0..<10 {
            decode.append(milliseconds(clock.measure { _ = ManifestSet.load(files: files, repository: repository) }))
        }
        // The alternative the issue names: libyaml's own event parser over the same bytes,
        // every event read and freed, nothing built — the floor under any decoder on libyaml.
        var events: [Double] = []
        var eventCount = 0
        for _ in 0..<10 {
            events.append(milliseconds(clock.measure { eventCount = files.reduce(0) { $0 + libyamlEvents($1.contents) } }))
        }
        let median = decode.sorted()[decode.count / 2]
        let eventsMedian = events.sorted()[events.count / 2]
        let machine = ProcessInfo.processInfo.processorCount
        return """
            ## Manifest decoding

            Measured on \(machine) cores, \(ISO8601DateFormatter().string(from: Date())); `Benchmarks/mooring-bench/DecodeBench.swift`, run by `make bench` (only this: `swift run -c release mooring-bench decode`). Manifests are composed straight from libyaml's events (`YAMLDocumentBuilder`); 10 runs in one process.

            | figure | measured |
            |---|---|
            | decode + validate 1,000 deployments (\(files.count) files, \(lines) lines, \(bytes / 1024) KiB; in memory, model paths checked in a memory repository) | \(summary(decode)) (\(String(format: "%.1f", median * 1000 / Double(max(lines, 1)))) µs per line) |
            | the alternative: libyaml's event parser alone over the same files (\(eventCount) events read and freed, no document built, nothing checked) | \(summary(events)) (\(String(format: "%.1f", eventsMedian * 1000 / Double(max(lines, 1)))) µs per line); decoding costs \(String(format: "%.1f", median / max(eventsMedian, 0.001)))× the events alone |
            """
    }

    /// Parses `bytes` with libyaml, reading and freeing every event; returns how many
    /// there were (-1 if the parser could not start or the YAML is malformed).
    static func libyamlEvents(_ bytes: Data) -> Int {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer {
            parser.deallocate()
            event.deallocate()
        }
        guard yaml_parser_initialize(parser) == 1 else { return -1 }
        defer { yaml_parser_delete(parser) }
        return bytes.withUnsafeBytes { buffer in
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count)
            var count = 0
            while true {
                guard yaml_parser_parse(parser, event) == 1 else { return -1 }
                let type = event.pointee.type
                yaml_event_delete(event)
                count += 1
                if type == YAML_STREAM_END_EVENT { return count }
            }
        }
    }
}
