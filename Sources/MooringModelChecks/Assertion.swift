import Foundation

/// One expectation on a JSON answer: the value at `path` must satisfy `kind`.
public struct Assertion: Hashable, Sendable, Codable {
    /// What the selected value must be.
    public enum Kind: Hashable, Sendable, Codable {
        /// Exactly this value (numbers compare as numbers: `0` equals `0.0`).
        case equals(JSONValue)
        /// One of these values.
        case oneOf([JSONValue])
        /// A number, or an array of numbers of the same length, within a tolerance of the
        /// expected one(s): `|got - want| <= absolute` or `<= relative * |want|` (either
        /// passing is enough; a missing tolerance is not checked, both missing means exact).
        case approx(JSONValue, absolute: Double?, relative: Double?)
        /// A string matching this regular expression (anywhere in it; anchor with `^…$`).
        case matches(String)
    }

    public var path: JSONPath
    public var kind: Kind

    public init(path: JSONPath, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// `nil` when `response` satisfies the assertion, else what was expected and what
    /// came (values truncated): `$.outputs[0].data[0] expected 0, got 2`.
    public func failure(in response: JSONValue) -> String? {
        let got: JSONValue
        switch path.select(in: response) {
        case let .success(value): got = value
        case let .failure(error): return "\(path) expected \(expectation), got nothing: \(error.message)"
        }
        if holds(for: got) { return nil }
        return "\(path) expected \(expectation), got \(truncated(got.json))"
    }

    /// Whether `got` satisfies the assertion.
    public func holds(for got: JSONValue) -> Bool {
        switch kind {
        case let .equals(want): return want == got
        case let .oneOf(options): return options.contains(got)
        case let .approx(want, absolute, relative): return Self.approximately(got, want, absolute: absolute, relative: relative)
        case let .matches(pattern):
            guard case let .string(text) = got, let regex = try? NSRegularExpression(pattern: pattern) else { return false }
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    /// How the expectation reads in a message.
    public var expectation: String {
        switch kind {
        case let .equals(want): return truncated(want.json)
        case let .oneOf(options): return "one of " + truncated(JSONValue.array(options).json)
        case let .approx(want, absolute, relative):
            var tolerances: [String] = []
            if let absolute { tolerances.append("±\(JSONValue.format(absolute))") }
            if let relative { tolerances.append("±\(JSONValue.format(relative * 100))%") }
            return truncated(want.json) + (tolerances.isEmpty ? "" : " " + tolerances.joined(separator: " or "))
        case let .matches(pattern): return "a string matching /\(truncated(pattern))/"
        }
    }

    static func approximately(_ got: JSONValue, _ want: JSONValue, absolute: Double?, relative: Double?) -> Bool {
        switch (got, want) {
        case let (.number(g), .number(w)):
            let difference = abs(g - w)
            if absolute == nil && relative == nil { return difference == 0 }
            if let absolute, difference <= absolute { return true }
            if let relative, difference <= relative * abs(w) { return true }
            return false
        case let (.array(gs), .array(ws)):
            guard gs.count == ws.count else { return false }
            return zip(gs, ws).allSatisfy { approximately($0, $1, absolute: absolute, relative: relative) }
        default:
            return false
        }
    }

    /// Whether `pattern` is a regular expression `matches` can use; the reason if not.
    public static func regexProblem(_ pattern: String) -> String? {
        do {
            _ = try NSRegularExpression(pattern: pattern)
            return nil
        } catch {
            return "`\(pattern)` is not a valid regular expression"
        }
    }
}

/// The most of a value a message shows.
public let messageValueLimit = 80

/// `text`, cut to ``messageValueLimit`` characters with `…` when longer.
public func truncated(_ text: String, limit: Int = messageValueLimit) -> String {
    text.count <= limit ? text : String(text.prefix(limit)) + "…"
}
