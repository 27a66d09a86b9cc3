import Foundation
import Yams

/// One manifest file's bytes and the path it is shown under.
public struct ManifestFile: Hashable, Sendable {
    /// Path as shown in diagnostics; repository-relative when read from Git.
    public var path: String
    public var contents: Data

    public init(path: String, contents: Data) {
        self.path = path
        self.contents = contents
    }

    /// Whether `path` names a manifest file (`*.yaml` or `*.yml`).
    public static func isManifestPath(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }
}

/// What decoding one file produced: its documents and its problems.
struct DecodedFile {
    var documents: [ManifestDocument] = []
    var diagnostics: [Diagnostic] = []
}

extension ManifestFile {
    /// Parses every YAML document in the file and decodes each. A YAML syntax error ends
    /// the file (the parser cannot go on) with a diagnostic at the error's position.
    func decode() -> DecodedFile {
        let context = DecodingContext(file: path)
        var result = DecodedFile()
        guard let text = String(data: contents, encoding: .utf8) else {
            context.error(at: SourcePosition(file: path, line: 1, column: 1), field: "",
                          "the file is not valid UTF-8; save it as UTF-8")
            result.diagnostics = context.diagnostics
            return result
        }
        do {
            let parser = try Parser(yaml: text)
            while let root = try parser.nextRoot() {
                if root.isNull { continue } // an empty document between `---` lines
                let decoder = DocumentDecoder(context: context)
                if let document = decoder.decode(root) {
                    result.documents.append(document)
                }
            }
        } catch let error as YamlError {
            context.error(at: yamlErrorPosition(error), field: "", yamlErrorMessage(error))
        } catch {
            context.error(at: SourcePosition(file: path, line: 1, column: 1), field: "", "cannot parse YAML: \(error)")
        }
        result.diagnostics = context.diagnostics
        return result
    }

    private func yamlErrorPosition(_ error: YamlError) -> SourcePosition {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return SourcePosition(file: path, line: mark.line, column: mark.column)
        case let .duplicatedKeysInMapping(_, context):
            return SourcePosition(file: path, line: context.mark.line, column: context.mark.column)
        default:
            return SourcePosition(file: path, line: 1, column: 1)
        }
    }

    private func yamlErrorMessage(_ error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return message
        case let .duplicatedKeysInMapping(duplicates, _):
            return "duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in a mapping; keep one"
        default:
            return "YAML error: \(error)"
        }
    }
}

extension ManifestFile {
    /// Reads every `*.yaml`/`*.yml` file under `directory`, recursively, in a stable order.
    /// Paths are shown relative to `displayBase` (by default the directory's own name).
    public static func load(directory: URL, displayPrefix: String? = nil) throws -> [ManifestFile] {
        let prefix = displayPrefix ?? directory.lastPathComponent
        let fm = FileManager.default
        var files: [ManifestFile] = []
        guard let enumerator = fm.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey],
                                             options: [.skipsHiddenFiles]) else {
            return []
        }
        let base = directory.standardizedFileURL.resolvingSymlinksInPath().path
        for case let url as URL in enumerator {
            let full = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard isManifestPath(full) else { continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            var relative = full.hasPrefix(base + "/") ? String(full.dropFirst(base.count + 1)) : url.lastPathComponent
            if !prefix.isEmpty { relative = prefix + "/" + relative }
            files.append(ManifestFile(path: relative, contents: try Data(contentsOf: url)))
        }
        return files.sorted { $0.path < $1.path }
    }
}
