import Foundation
import GRDB

/// One problem found in a rejected commit, positioned in a manifest file.
public struct RevisionDiagnostic: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The file, relative to the repository root.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// The field path in the manifest (`spec.health.http.path`), when known.
    public var path: String?
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates a diagnostic.
    public init(file: String, line: Int? = nil, column: Int? = nil, path: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: path: message`, leaving out the parts that are unknown.
    public var description: String {
        var position = file
        if let line {
            position += ":\(line)"
            if let column { position += ":\(column)" }
        }
        let field = path.map { "\($0): " } ?? ""
        return "\(position): \(field)\(message)"
    }
}

/// A commit the controller has seen at the branch tip, and whether its manifests were
/// accepted (the commit is validated whole).
public struct RevisionRecord: Sendable, Codable, Equatable {
    /// The full commit id (40 or 64 lowercase hex digits).
    public var commit: String
    /// The commit's subject line.
    public var subject: String
    /// The commit's author (`Name <email>`).
    public var author: String
    /// The commit's author time.
    public var committedAt: Date
    /// When the controller first saw it.
    public var seenAt: Date
    /// Whether every manifest at this commit parsed and validated.
    public var valid: Bool
    /// The problems found, as a JSON array of ``RevisionDiagnostic`` (`[]` when valid);
    /// read it with ``decodedDiagnostics()``. A rejected commit has at least one.
    public var diagnostics: String

    /// Creates a revision record from typed diagnostics.
    public init(
        commit: String, subject: String, author: String, committedAt: Date,
        seenAt: Date, valid: Bool, diagnostics: [RevisionDiagnostic] = []
    ) throws {
        self.commit = commit
        self.subject = subject
        self.author = author
        self.committedAt = committedAt
        self.seenAt = seenAt
        self.valid = valid
        self.diagnostics = try StoreJSON.encode(diagnostics, what: "diagnostics of \(commit)")
    }

    /// The stored diagnostics, decoded.
    public func decodedDiagnostics() throws -> [RevisionDiagnostic] {
        try StoreJSON.decode([RevisionDiagnostic].self, from: diagnostics, what: "diagnostics of \(commit)")
    }
}

extension RevisionRecord: FetchableRecord, PersistableRecord, UnixTimeDates {
    /// The table's name.
    public static let databaseTableName = "revision"
}
