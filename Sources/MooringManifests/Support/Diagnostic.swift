import Foundation

/// Where something is in a manifest file: a path as shown to the operator, and a
/// 1-based line and column.
public struct SourcePosition: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The file, relative to where validation started (`manifests/iris.yaml`).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in the manifests, with its position and the field it concerns.
///
/// Rendered as `file:line:column: error: field.path: message` so editors and CI logs
/// can jump to it.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    /// How serious the problem is. Only errors reject a commit.
    public enum Severity: String, Hashable, Sendable, Codable {
        case error
        case warning
    }

    public var severity: Severity
    public var position: SourcePosition
    /// The field path, such as `spec.health.http.path`; empty for whole-document problems.
    public var field: String
    /// What is wrong and how to fix it.
    public var message: String

    public init(_ severity: Severity = .error, at position: SourcePosition, field: String, message: String) {
        self.severity = severity
        self.position = position
        self.field = field
        self.message = message
    }

    public var description: String {
        let fieldPart = field.isEmpty ? "" : "\(field): "
        return "\(position): \(severity.rawValue): \(fieldPart)\(message)"
    }

    /// The GitHub Actions workflow-command form, which annotates the line in a pull request.
    public var githubAnnotation: String {
        func escapeData(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25")
                .replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        func escapeProperty(_ s: String) -> String {
            escapeData(s).replacingOccurrences(of: ":", with: "%3A")
                .replacingOccurrences(of: ",", with: "%2C")
        }
        let fieldPart = field.isEmpty ? "" : "\(field): "
        return "::\(severity.rawValue) file=\(escapeProperty(position.file)),line=\(position.line),col=\(position.column)::\(escapeData(fieldPart + message))"
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, line, column, so output is stable.
    public func sortedByPosition() -> [Diagnostic] {
        sorted {
            ($0.position.file, $0.position.line, $0.position.column, $0.field, $0.message)
                < ($1.position.file, $1.position.line, $1.position.column, $1.field, $1.message)
        }
    }
}
