/// Collects diagnostics while one file is decoded and turns YAML marks into positions.
/// Shared (`package`) with the host configuration's decoder, which reports alike.
package final class DecodingContext {
    package let file: String
    package private(set) var diagnostics: [Diagnostic] = []
    /// The host's variable names for `{{host.NAME}}`, or nil when they are not known
    /// (`mooring validate` without `--config`): then such references are not checked.
    package let hostVariables: Set<String>?

    package init(file: String, hostVariables: Set<String>? = nil) {
        self.file = file
        self.hostVariables = hostVariables
    }

    /// The position of `node`, or of `fallback` when the node carries no mark.
    package func position(of node: YAMLNode?, fallback: SourcePosition? = nil) -> SourcePosition {
        if let mark = node?.mark {
            return SourcePosition(file: file, line: mark.line, column: mark.column)
        }
        return fallback ?? SourcePosition(file: file, line: 1, column: 1)
    }

    package func error(at position: SourcePosition, field: String, _ message: String) {
        diagnostics.append(Diagnostic(.error, at: position, field: field, message: message))
    }

    package func error(_ node: YAMLNode?, field: String, _ message: String) {
        error(at: position(of: node), field: field, message)
    }

    package func warning(at position: SourcePosition, field: String, _ message: String) {
        diagnostics.append(Diagnostic(.warning, at: position, field: field, message: message))
    }

    package func warning(_ node: YAMLNode?, field: String, _ message: String) {
        diagnostics.append(Diagnostic(.warning, at: position(of: node), field: field, message: message))
    }
}

/// Joins a field path: `spec` + `health` → `spec.health`.
package func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}

/// A readable name for a node's type, for "expected a string, got a mapping".
package func describeType(_ node: YAMLNode) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case let .scalar(scalar):
        switch scalar.kind {
        case .int: return "an integer (\(scalar.string))"
        case .float: return "a number (\(scalar.string))"
        case .bool: return "a boolean (\(scalar.string))"
        case .null: return "null"
        case .yaml11Bool: return "a YAML 1.1 boolean (\(scalar.string))"
        case .yaml11Int: return "a YAML 1.1 integer (\(scalar.string))"
        case .yaml11Float: return "a YAML 1.1 number (\(scalar.string))"
        case let .tagged(tag): return "a value tagged `\(tag)`"
        case .string: return "a string"
        }
    }
}
