import Foundation

/// `docs/openapi.json`, read so tests can hold the live server to it: which operations
/// exist, and whether a response's status is documented and its JSON has the documented
/// required fields, types and enum values.
public struct OpenAPIContract: @unchecked Sendable {
    /// One documented operation.
    public struct Operation: Sendable, Hashable, CustomStringConvertible {
        public let method: String
        public let path: String
        public var description: String { "\(method) \(path)" }
    }

    private let document: [String: Any]

    /// Reads the document from the package's `docs/`.
    public init(file: URL = MooringBinary.packageRoot.appendingPathComponent("docs/openapi.json")) throws {
        let data = try Data(contentsOf: file)
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestingError("\(file.path) is not a JSON object")
        }
        self.document = document
    }

    /// Every documented operation, by path then method.
    public var operations: [Operation] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return paths.keys.sorted().flatMap { path in
            (paths[path] ?? [:]).keys.sorted().map { Operation(method: $0.uppercased(), path: path) }
        }
    }

    /// What is wrong with `response` as an answer to `operation`: an undocumented status,
    /// a body that is not JSON, or JSON missing a required field, of the wrong type, or
    /// outside an enum. Empty when it conforms.
    public func problems(_ operation: Operation, status: Int, body: Data) -> [String] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        guard let op = paths[operation.path]?[operation.method.lowercased()] as? [String: Any] else {
            return ["\(operation) is not documented"]
        }
        let responses = op["responses"] as? [String: Any] ?? [:]
        guard var response = responses[String(status)] as? [String: Any] else {
            return ["\(operation) answered \(status), which is not documented (documented: \(responses.keys.sorted().joined(separator: ", ")))"]
        }
        response = resolve(response)
        guard let content = response["content"] as? [String: Any],
              let json = content["application/json"] as? [String: Any],
              let schema = json["schema"] as? [String: Any] else { return [] }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            return ["\(operation) \(status): the body is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))"]
        }
        return check(value, against: schema, at: "\(operation) \(status) $")
    }

    private func resolve(_ object: [String: Any]) -> [String: Any] {
        guard let reference = object["$ref"] as? String, reference.hasPrefix("#/") else { return object }
        var node: Any = document
        for part in reference.dropFirst(2).split(separator: "/") {
            node = (node as? [String: Any])?[String(part)] ?? [:]
        }
        return resolve(node as? [String: Any] ?? [:])
    }

    private func check(_ value: Any, against raw: [String: Any], at path: String) -> [String] {
        let schema = resolve(raw)
        var problems: [String] = []
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): expected an object, got \(value)"] }
            for field in schema["required"] as? [String] ?? [] where object[field] == nil || object[field] is NSNull {
                problems.append("\(path): the required field `\(field)` is missing")
            }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for (name, property) in properties {
                if let field = object[name], !(field is NSNull) {
                    problems += check(field, against: property, at: "\(path).\(name)")
                }
            }
        case "array":
            guard let array = value as? [Any] else { return ["\(path): expected an array, got \(value)"] }
            let items = schema["items"] as? [String: Any] ?? [:]
            for (index, item) in array.enumerated() { problems += check(item, against: items, at: "\(path)[\(index)]") }
        case "string":
            guard let string = value as? String else { return ["\(path): expected a string, got \(value)"] }
            if let options = schema["enum"] as? [String], !options.contains(string) {
                problems.append("\(path): `\(string)` is not one of \(options)")
            }
            if schema["format"] as? String == "date-time", ISO8601DateFormatter().date(from: string) == nil {
                problems.append("\(path): `\(string)` is not an ISO 8601 date-time")
            }
        case "integer":
            if (value as? Int) == nil || value is String { problems.append("\(path): expected an integer, got \(value)") }
        case "boolean":
            if (value as? Bool) == nil || value is String { problems.append("\(path): expected a boolean, got \(value)") }
        default:
            break
        }
        return problems
    }
}
