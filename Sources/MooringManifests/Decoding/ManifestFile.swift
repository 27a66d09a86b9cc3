import Foundation

/// One manifest file's bytes and the path it is shown under.
public struct ManifestFile: Hashable, Sendable {
    /// Path as shown in diagnostics; repository-relative when read from Git.
    public var path: String
    /// The file's bytes — only the first ones when it was too large to read whole (see
    /// ``byteCount``); for a symlink, its target.
    public var contents: Data
    /// The file's size in bytes: `contents.count`, unless only a prefix was read because
    /// the file is over ``ManifestLimits/maxFileBytes``.
    public var byteCount: Int
    /// Whether the file is a symbolic link. Manifest files may not be symlinks: one is
    /// rejected with a diagnostic, never followed (the controller reads Git's tree, where
    /// a link is only its target's name, so `validate` must not follow one either).
    public var isSymlink: Bool
    /// An identity of `contents` that changes whenever a byte does — the Git blob id when
    /// read from Git — or `nil`. With one, a ``ManifestDecodeCache`` decodes the file only
    /// the first time it meets this path with this identity.
    public var contentID: String?

    public init(path: String, contents: Data, isSymlink: Bool = false, contentID: String? = nil) {
        self.init(path: path, contents: contents, byteCount: contents.count, isSymlink: isSymlink, contentID: contentID)
    }

    /// A file of which only `contents` (a prefix, possibly empty) was read: its size
    /// `byteCount` is over a limit, and decoding reports just that.
    public init(path: String, contents: Data, byteCount: Int, isSymlink: Bool = false, contentID: String? = nil) {
        self.path = path
        self.contents = contents
        self.byteCount = max(byteCount, contents.count)
        self.isSymlink = isSymlink
        self.contentID = contentID
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
struct DecodedFile: Sendable {
    var documents: [ManifestDocument] = []
    var diagnostics: [Diagnostic] = []
}

extension ManifestFile {
    /// Parses every YAML document in the file and decodes each. A YAML syntax error ends
    /// the file (the parser cannot go on) with a diagnostic at the error's position.
    ///
    /// The raw bytes are checked first (size, UTF-8); the documents are then composed from
    /// libyaml's events (``YAMLDocumentBuilder``), each event checked against `limits` as
    /// it is read: a file that breaks a limit gets one diagnostic at the offending byte,
    /// alias or node, and no document.
    func decode(limits: ManifestLimits = .default, hostVariables: Set<String>? = nil) -> DecodedFile {
        let context = DecodingContext(file: path, hostVariables: hostVariables)
        var result = DecodedFile()
        for root in parseRoots(limits: limits, context: context) {
            let decoder = DocumentDecoder(context: context)
            if let document = decoder.decode(root) {
                result.documents.append(document)
            }
        }
        result.diagnostics = context.diagnostics
        return result
    }

    /// The file's YAML documents (empty documents skipped), after the same size, UTF-8 and
    /// structure checks as a manifest; every problem goes to `context`. Shared with the
    /// host configuration's decoder.
    package func parseRoots(limits: ManifestLimits = .default, context: DecodingContext) -> [YAMLNode] {
        if let problem = sizeProblem(limits: limits) {
            context.error(at: problem.position, field: problem.field, problem.message)
            return []
        }
        // The standard library's validation (fast in every build); the offending byte is
        // looked for only when there is one.
        if contents.withUnsafeBytes({ String(validating: $0.bindMemory(to: UInt8.self), as: UTF8.self) }) == nil {
            let problem = invalidUTF8Problem()
            context.error(at: problem.position, field: problem.field, problem.message)
            return []
        }
        let built = contents.withUnsafeBytes { YAMLDocumentBuilder(path: path, limits: limits).build($0) }
        if let problem = built.problem {
            context.error(at: problem.position, field: problem.field, problem.message)
        }
        return built.roots
    }

    /// The file is over `limits.maxFileBytes`: a diagnostic at the byte that crosses it.
    private func sizeProblem(limits: ManifestLimits) -> Diagnostic? {
        guard byteCount > limits.maxFileBytes else { return nil }
        return diagnostic(atByte: limits.maxFileBytes,
                          "the file is \(byteCount) bytes, over the limit of \(limits.maxFileBytes) bytes for one manifest file (crossed here); split it into smaller files")
    }

    /// Where the file stops being UTF-8, as a diagnostic.
    private func invalidUTF8Problem() -> Diagnostic {
        let offset = contents.withUnsafeBytes { firstInvalidUTF8Offset(in: $0) } ?? 0
        let byte = offset < contents.count ? String(contents[contents.startIndex + offset], radix: 16, uppercase: true) : "?"
        return diagnostic(atByte: offset, "the file is not valid UTF-8 here (byte 0x\(byte.count == 1 ? "0" + byte : byte)); save it as UTF-8")
    }

    private func diagnostic(atByte offset: Int, _ message: String) -> Diagnostic {
        let (line, column) = contents.withUnsafeBytes { textPosition(ofByte: offset, in: $0) }
        return Diagnostic(.error, at: SourcePosition(file: path, line: line, column: column), field: "", message: message)
    }
}

extension ManifestFile {
    /// Reads every `*.yaml`/`*.yml` file under `directory`, recursively, in a stable order.
    /// Paths are shown relative to `displayBase` (by default the directory's own name).
    /// A file over `limits.maxFileBytes` is not read whole: decoding reports its size.
    ///
    /// Symlinks are never followed, as the controller (which reads Git's tree) never does:
    /// a symlinked manifest file is returned with `isSymlink` (and is rejected when the
    /// set is loaded); a symlinked folder is not entered.
    public static func load(directory: URL, displayPrefix: String? = nil, limits: ManifestLimits = .default) throws -> [ManifestFile] {
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
            files.append(try read(url, as: relative, limit: limits.maxFileBytes))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Reads the file at `url`, or only its first `limit + 1` bytes (enough to place the
    /// "too large" diagnostic) when it is larger than `limit`.
    private static func read(_ url: URL, as path: String, limit: Int) throws -> ManifestFile {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() } // closing a file only read from loses nothing
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        guard size <= UInt64(limit) else {
            let prefix = try handle.read(upToCount: limit + 1) ?? Data()
            return ManifestFile(path: path, contents: prefix, byteCount: Int(clamping: size))
        }
        return ManifestFile(path: path, contents: try handle.readToEnd() ?? Data())
    }
}
