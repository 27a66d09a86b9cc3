import Foundation

/// A JSON value: what a golden request expects and what a model answered. Numbers are
/// doubles (JSON has one number type), so `0` and `0.0` are equal.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `data` as JSON; throws ``JSONValueError`` with the parser's reason.
    public static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw JSONValueError(reason: "not valid JSON (\(Self.reason(of: error)))")
        }
    }

    private static func reason(of error: any Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }

    /// Compact JSON with sorted keys: how values are shown in messages and sent as bodies.
    public var json: String {
        switch self {
        case .null: return "null"
        case let .bool(flag): return flag ? "true" : "false"
        case let .number(number): return Self.format(number)
        case let .string(text): return Self.quote(text)
        case let .array(items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case let .object(members):
            return "{" + members.keys.sorted().map { Self.quote($0) + ":" + (members[$0] ?? .null).json }.joined(separator: ",") + "}"
        }
    }

    /// `2` for whole numbers, `0.25` otherwise.
    static func format(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }

    /// `text` as a JSON string literal (Foundation's encoder: quotes, backslashes and
    /// control characters escaped; it cannot fail for a string).
    private static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(text), as: UTF8.self)
        } catch {
            return "\"\(text.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" })\""
        }
    }

    /// The number, if this is one.
    public var number: Double? {
        if case let .number(value) = self { return value }
        return nil
    }
}

/// Why a body is not JSON.
public struct JSONValueError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let flag = try? container.decode(Bool.self) { self = .bool(flag); return }
        if let number = try? container.decode(Double.self) { self = .number(number); return }
        if let text = try? container.decode(String.self) { self = .string(text); return }
        if let items = try? container.decode([JSONValue].self) { self = .array(items); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(flag): try container.encode(flag)
        case let .number(number): try container.encode(number)
        case let .string(text): try container.encode(text)
        case let .array(items): try container.encode(items)
        case let .object(members): try container.encode(members)
        }
    }
}
