import CLibYAML

/// Composes a file's YAML documents straight from libyaml's event stream, in one pass:
/// every event is first checked by ``YAMLStructureCheck`` (limits, keys, aliases), then
/// added to the document being built — no recursion (a stack of open collections), no
/// tag regular expressions (scalars are typed when a field reads them, see
/// ``YAMLScalarKind``), aliases shared rather than expanded.
///
/// Problems come in the order the former two-pass reading (check everything, then
/// compose with Yams) gave them: a structure or syntax problem anywhere in the file wins
/// and no document is returned; otherwise a duplicate mapping key ends the file at the
/// document holding it, and the documents before it are kept.
struct YAMLDocumentBuilder {
    let path: String
    let limits: ManifestLimits

    /// What one file gave: its non-empty documents and the problem that ended it, if any.
    struct Result {
        var roots: [YAMLNode] = []
        var problem: Diagnostic?
    }

    /// One open list or mapping.
    private struct Frame {
        var isMapping: Bool
        var mark: YAMLMark
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var pendingKey: YAMLNode?
    }

    /// Reads `bytes` (valid during the call).
    func build(_ bytes: UnsafeRawBufferPointer) -> Result {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer {
            parser.deallocate()
            event.deallocate()
        }
        var check = YAMLStructureCheck(path: path, limits: limits)
        guard yaml_parser_initialize(parser) == 1 else {
            return Result(problem: check.diagnostic(line: 1, column: 1,
                "cannot start the YAML parser (out of memory); the revision is read again on the next attempt"))
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)

        var result = Result()
        var frames: [Frame] = []
        var anchors: [String: YAMLNode] = [:]
        var root: YAMLNode?
        /// The first duplicate key, and how many documents were complete before it.
        var duplicate: (problem: Diagnostic, documentsBefore: Int)?

        func add(_ node: YAMLNode) {
            guard let last = frames.indices.last else {
                root = node
                return
            }
            if !frames[last].isMapping {
                frames[last].items.append(node)
            } else if let key = frames[last].pendingKey {
                frames[last].pairs.append((key, node))
                frames[last].pendingKey = nil
            } else {
                frames[last].pendingKey = node
            }
        }

        while true {
            guard yaml_parser_parse(parser, event) == 1 else {
                return Result(problem: check.parserProblem(parser.pointee, bytes: bytes))
            }
            defer { yaml_event_delete(event) }
            if let problem = check.check(event) { return Result(problem: problem) }
            let mark = YAMLMark(line: Int(event.pointee.start_mark.line) + 1, column: Int(event.pointee.start_mark.column) + 1)

            switch event.pointee.type {
            case YAML_STREAM_END_EVENT:
                if let duplicate {
                    result.roots.removeSubrange(duplicate.documentsBefore...)
                    result.problem = duplicate.problem
                }
                return result

            case YAML_DOCUMENT_START_EVENT:
                frames = []
                anchors = [:]
                root = nil

            case YAML_DOCUMENT_END_EVENT:
                // An empty document (between two `---` lines, or just `~`) is skipped.
                if let root, !root.isNull { result.roots.append(root) }

            case YAML_SCALAR_EVENT:
                let data = event.pointee.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
                let node = YAMLNode.scalar(YAMLScalar(text, style: Self.style(data.style),
                                                      tag: data.tag.map { String(cString: $0) }, mark: mark))
                if let anchor = data.anchor { anchors[String(cString: anchor)] = node }
                add(node)

            case YAML_ALIAS_EVENT:
                // The check has made sure the anchor is complete in this document.
                let name = event.pointee.data.alias.anchor.map { String(cString: $0) } ?? ""
                add(anchors[name] ?? .scalar(YAMLScalar("", mark: mark)))

            case YAML_SEQUENCE_START_EVENT:
                frames.append(Frame(isMapping: false, mark: mark,
                                    anchor: event.pointee.data.sequence_start.anchor.map { String(cString: $0) }))

            case YAML_MAPPING_START_EVENT:
                frames.append(Frame(isMapping: true, mark: mark,
                                    anchor: event.pointee.data.mapping_start.anchor.map { String(cString: $0) }))

            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = frames.popLast() else { break }
                let node: YAMLNode
                if frame.isMapping {
                    if duplicate == nil, let problem = duplicateKeyProblem(in: frame.pairs) {
                        duplicate = (problem, result.roots.count)
                    }
                    node = .mapping(frame.pairs, mark: frame.mark)
                } else {
                    node = .sequence(frame.items, mark: frame.mark)
                }
                if let anchor = frame.anchor { anchors[anchor] = node }
                add(node)

            default:
                break // stream start
            }
        }
    }

    /// A mapping that names a key twice: every such key, sorted, at the first place the
    /// first of them is written (as Yams reported it).
    private func duplicateKeyProblem(in pairs: [(key: YAMLNode, value: YAMLNode)]) -> Diagnostic? {
        guard pairs.count > 1 else { return nil }
        if pairs.count <= 8 {
            // Most mappings are a few keys: compare texts before hashing anything.
            var found = false
            search: for later in 1..<pairs.count {
                guard let text = pairs[later].key.scalar?.string else { continue }
                for earlier in 0..<later where pairs[earlier].key.scalar?.string == text {
                    found = true
                    break search
                }
            }
            guard found else { return nil }
        }
        /// Keys are scalars (the check rejects others); `1` and `"1"` are different keys.
        func identity(_ key: YAMLNode) -> String? {
            guard let scalar = key.scalar else { return nil }
            return (scalar.kind == .string ? "s" : "o") + scalar.string
        }
        var first: [String: YAMLNode] = [:]
        var duplicated: [String: YAMLNode] = [:]
        first.reserveCapacity(pairs.count)
        for (key, _) in pairs {
            guard let id = identity(key) else { continue }
            if let earlier = first[id] {
                if duplicated[id] == nil { duplicated[id] = earlier }
            } else {
                first[id] = key
            }
        }
        guard !duplicated.isEmpty else { return nil }
        let names = duplicated.values.compactMap { $0.scalar?.string }.sorted()
        let earliest = duplicated.values.min { ($0.scalar?.string ?? "") < ($1.scalar?.string ?? "") }
        let mark = earliest?.mark ?? YAMLMark(line: 1, column: 1)
        return Diagnostic(.error, at: SourcePosition(file: path, line: mark.line, column: mark.column), field: "",
                          message: "duplicate key \(names.map { "`\($0)`" }.joined(separator: ", ")) in a mapping; keep one")
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }
}
