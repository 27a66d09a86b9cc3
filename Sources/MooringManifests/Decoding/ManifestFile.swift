import Foundation
import Yams

/// One manifest file's bytes and the path it is shown under.
public struct ManifestFile: Hashable, Sendable {
    /// Path as shown in diagnostics; repository-relative when read from Git.
    public var path: String
    /// The file's bytes; for a symlink, its target.
    public var contents: Data
    /// Whether the file is a symbolic link. Manifest files may not be symlinks: one is
    /// rejected with a diagnostic, never followed (the controller reads Git's tree, where
    /// a link is only its target's name, so `validate` must not follow one either).
    public var isSymlink: Bool

    public init(path: String, contents: Data, isSymlink: Bool = false) {
        self.path = path
        self.contents = contents
        self.isSymlink = isSymlink
    }

    /// The error for a manifest file that is a symlink, at the file's first position.
    func symlinkDiagnostic() -> Diagnostic {
        let target = String(decoding: contents, as: UTF8.self)
        return Diagnostic(.error, at: SourcePosition(file: path, line: 1, column: 1), field: "",
            message: "manifest files may not be symlinks (this one points to `\(target)`); commit the manifest itself here, "
                + "or rename the link so it does not end in .yaml/.yml")
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
    ///
    /// Symlinks are never followed, as the controller (which reads Git's tree) never does:
    /// a symlinked manifest file is returned with `isSymlink` (and is rejected when the
    /// set is loaded); a symlinked folder is not entered.
    public static func load(directory: URL, displayPrefix: String? = nil) throws -> [ManifestFile] {
        let prefix = displayPrefix ?? directory.lastPathComponent
        let fm = FileManager.default
        var files: [ManifestFile] = []
        guard let enumerator = fm.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                                             options: [.skipsHiddenFiles]) else {
            return []
        }
        let given = directory.standardizedFileURL.path
        let base = directory.standardizedFileURL.resolvingSymlinksInPath().path
        for case let url as URL in enumerator {
            let path = url.standardizedFileURL.path
            var relative: String
            if path.hasPrefix(given + "/") {
                relative = String(path.dropFirst(given.count + 1))
            } else {
                let full = url.standardizedFileURL.resolvingSymlinksInPath().path
                relative = full.hasPrefix(base + "/") ? String(full.dropFirst(base.count + 1)) : url.lastPathComponent
            }
            if !prefix.isEmpty { relative = prefix + "/" + relative }
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK {
                enumerator.skipDescendants()
                guard isManifestPath(path) else { continue }
                let target = try fm.destinationOfSymbolicLink(atPath: path)
                files.append(ManifestFile(path: relative, contents: Data(target.utf8), isSymlink: true))
                continue
            }
            guard isManifestPath(path), info.st_mode & S_IFMT == S_IFREG else { continue }
            files.append(ManifestFile(path: relative, contents: try Data(contentsOf: url)))
        }
        return files.sorted { $0.path < $1.path }
    }
}
