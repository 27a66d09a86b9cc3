/// A JSON path in the small subset golden requests need: `$`, then any number of
/// `.name`, `["name"]` and `[index]` steps (a negative index counts from the end), as in
/// `$.outputs[0].data[0]` or `$.choices[0].message.content`.
public struct JSONPath: Hashable, Sendable, Codable, CustomStringConvertible {
    /// One step down into a value.
    public enum Step: Hashable, Sendable {
        case member(String)
        case index(Int)
    }

    /// The path as written.
    public let text: String
    public let steps: [Step]

    /// Parses `text`; throws ``JSONPathError`` saying where and what is wrong.
    public init(_ text: String) throws {
        self.text = text
        self.steps = try Self.parse(text)
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// The value the path selects in `root`, or why there is none
    /// (`$.outputs[3]: the array has 1 element`).
    public func select(in root: JSONValue) -> Result<JSONValue, JSONPathError> {
        var current = root
        var walked = "$"
        for step in steps {
            switch (step, current) {
            case let (.member(name), .object(members)):
                guard let next = members[name] else {
                    let known = members.keys.sorted().prefix(8).joined(separator: ", ")
                    return .failure(JSONPathError(message: "\(walked) has no member `\(name)` (it has: \(known.isEmpty ? "none" : known))"))
                }
                current = next
                walked += Self.render(step)
            case let (.index(index), .array(items)):
                let resolved = index < 0 ? items.count + index : index
                guard items.indices.contains(resolved) else {
                    return .failure(JSONPathError(message: "\(walked)[\(index)] is out of range: the array has \(items.count) element\(items.count == 1 ? "" : "s")"))
                }
                current = items[resolved]
                walked += Self.render(step)
            case (.member, _):
                return .failure(JSONPathError(message: "\(walked) is \(Self.kind(of: current)), not an object"))
            case (.index, _):
                return .failure(JSONPathError(message: "\(walked) is \(Self.kind(of: current)), not an array"))
            }
        }
        return .success(current)
    }

    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private static func render(_ step: Step) -> String {
        switch step {
        case let .member(name): return "." + name
        case let .index(index): return "[\(index)]"
        }
    }

    private static func parse(_ text: String) throws -> [Step] {
        let chars = Array(text)
        guard chars.first == "$" else {
            throw JSONPathError(message: "`\(text)` must start with `$`, such as `$.outputs[0].data[0]`")
        }
        var steps: [Step] = []
        var i = 1
        func fail(_ why: String) -> JSONPathError {
            JSONPathError(message: "`\(text)`, at character \(i + 1): \(why); write paths like `$.outputs[0].data[0]` or `$[\"a key\"]`")
        }
        while i < chars.count {
            if chars[i] == "." {
                i += 1
                var name = ""
                while i < chars.count, chars[i] != ".", chars[i] != "[" {
                    name.append(chars[i]); i += 1
                }
                guard !name.isEmpty else { throw fail("a member name is missing after `.`") }
                steps.append(.member(name))
            } else if chars[i] == "[" {
                i += 1
                if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                    let quote = chars[i]
                    i += 1
                    var name = ""
                    while i < chars.count, chars[i] != quote { name.append(chars[i]); i += 1 }
                    guard i < chars.count else { throw fail("the quoted name is not closed") }
                    i += 1
                    steps.append(.member(name))
                } else {
                    var digits = ""
                    while i < chars.count, chars[i] != "]" { digits.append(chars[i]); i += 1 }
                    guard let index = Int(digits) else { throw fail("`[\(digits)]` is not an index; use a whole number such as `[0]`") }
                    steps.append(.index(index))
                }
                guard i < chars.count, chars[i] == "]" else { throw fail("`]` is missing") }
                i += 1
            } else {
                throw fail("expected `.` or `[`, found `\(chars[i])`")
            }
        }
        return steps
    }
}

/// A JSON path that cannot be parsed, or selects nothing in a response.
public struct JSONPathError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
