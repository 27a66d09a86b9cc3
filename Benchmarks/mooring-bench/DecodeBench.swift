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
        let median = decode.sorted()[decode.count / 2]
        let machine = ProcessInfo.processInfo.processorCount
        return """
            ## Manifest decoding

            Measured on \(machine) cores, \(ISO8601DateFormatter().string(from: Date())); `Benchmarks/mooring-bench/DecodeBench.swift`, run by `make bench` (only this: `swift run -c release mooring-bench decode`). Manifests are composed straight from libyaml's events (`YAMLDocumentBuilder`); 10 runs in one process.

            | figure | measured |
            |---|---|
            | decode + validate 1,000 deployments (\(files.count) files, \(lines) lines, \(bytes / 1024) KiB; in memory, model paths checked in a memory repository) | \(summary(decode)) (\(String(format: "%.1f", median * 1000 / Double(max(lines, 1)))) µs per line) |
            """
    }
}
