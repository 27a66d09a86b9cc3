import Foundation

/// The Prometheus text exposition format (0.0.4), parsed line by line as a scraper
/// would: every line must be a `# HELP`/`# TYPE` comment or a valid sample, so a test
/// fails on anything Prometheus would reject.
public struct PrometheusExposition: Sendable {
    /// One sample: `name{labels} value`.
    public struct Sample: Sendable, Equatable {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public let samples: [Sample]
    /// `# TYPE` per metric family.
    public let types: [String: String]

    /// Parses `text`; throws naming the first line that is not valid exposition.
    public init(_ text: String) throws {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                if parts.count >= 2, parts[1] == "TYPE" {
                    guard parts.count == 4, Self.isName(parts[2]),
                          ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw TestingError("line \(number + 1): malformed TYPE: \(line)")
                    }
                    types[parts[2]] = parts[3]
                } else if parts.count >= 2, parts[1] == "HELP" {
                    guard parts.count >= 3, Self.isName(parts[2]) else { throw TestingError("line \(number + 1): malformed HELP: \(line)") }
                }
                continue
            }
            guard let sample = Self.sample(line) else { throw TestingError("line \(number + 1): not a valid sample: \(line)") }
            samples.append(sample)
        }
        self.samples = samples
        self.types = types
    }

    /// Samples named `name` whose labels include `labels`.
    public func values(_ name: String, _ labels: [String: String] = [:]) -> [Double] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.map(\.value)
    }

    /// The one sample's value, or nil when there is none or several.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let found = values(name, labels)
        return found.count == 1 ? found[0] : nil
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first == ":" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func sample(_ line: String) -> Sample? {
        var rest = Substring(line)
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isName(name) else { return nil }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.hasPrefix("{") {
            rest = rest.dropFirst()
            while !rest.hasPrefix("}") {
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let label = String(rest[..<equals])
                guard isName(label), !label.contains(":"), labels[label] == nil else { return nil }
                rest = rest[rest.index(after: equals)...]
                guard rest.hasPrefix("\"") else { return nil }
                rest = rest.dropFirst()
                var value = ""
                while true {
                    guard let character = rest.first else { return nil }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        guard let escaped = rest.first else { return nil }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: return nil
                        }
                    } else {
                        value.append(character)
                    }
                }
                labels[label] = value
                if rest.hasPrefix(",") { rest = rest.dropFirst() } else if !rest.hasPrefix("}") { return nil }
            }
            rest = rest.dropFirst()
        }
        guard rest.hasPrefix(" ") else { return nil }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count) else { return nil }
        let number: Double?
        switch fields[0] {
        case "+Inf": number = .infinity
        case "-Inf": number = -.infinity
        case "NaN": number = .nan
        default: number = Double(fields[0])
        }
        guard let number else { return nil }
        if fields.count == 2, Int64(fields[1]) == nil { return nil }
        return Sample(name: name, labels: labels, value: number)
    }
}
