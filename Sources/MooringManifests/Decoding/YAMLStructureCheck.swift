// libyaml's events (system library, `CLibYAML`): each is checked here as
// ``YAMLDocumentBuilder`` reads it, before it becomes part of a tree.
import CLibYAML

/// Checks a file's YAML one libyaml event at a time and returns the first problem that
/// must stop it: a byte YAML does not allow, an alias or anchor used as a mapping key, a
/// list or mapping used as a key, an alias to nothing, or a broken ``ManifestLimits`` bound
/// (documents per file, nesting depth, nodes per document or per file with aliases counted
/// as everything they refer to). ``parserProblem(_:bytes:)`` words libyaml's own errors.
///
/// An alias bomb is found at the alias that crosses the node limit, after reading the
/// few lines that define it; a 10,000-deep nesting at the first level past the limit.
/// The builder only ever composes what passed, so it never expands an alias or recurses.
struct YAMLStructureCheck {
    let path: String
    let limits: ManifestLimits

    /// One open list or mapping.
    private struct Frame {
        var isMapping: Bool
        /// In a mapping: whether the next node is a key.
        var expectingKey: Bool
        var anchor: String?
        /// The document's node count before this collection's own node.
        var nodesBefore: Int
    }

    private var frames: [Frame] = []
    private var anchorSizes: [String: Int] = [:]
    private var documents = 0
    private var documentNodes = 0
    private var fileNodes = 0

    init(path: String, limits: ManifestLimits) {
        self.path = path
        self.limits = limits
    }

    /// The problem `event` (the next event of the file) is, or `nil`.
    mutating func check(_ event: UnsafePointer<yaml_event_t>) -> Diagnostic? {
        let mark = event.pointee.start_mark
        let line = Int(mark.line) + 1, column = Int(mark.column) + 1

        switch event.pointee.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > limits.maxDocumentsPerFile {
                return diagnostic(line: line, column: column,
                    "the file has more than \(limits.maxDocumentsPerFile) YAML documents (the limit); split it into several files")
            }
            frames = []
            anchorSizes = [:]
            documentNodes = 0

        case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let type = event.pointee.type
            let anchor = Self.anchor(of: event.pointee)
            if let top = frames.last, top.isMapping, top.expectingKey {
                if let problem = keyProblem(type: type, anchor: anchor) {
                    return diagnostic(line: line, column: column, problem)
                }
            }
            var size = 1
            if type == YAML_ALIAS_EVENT {
                let name = anchor ?? ""
                guard let known = anchorSizes[name] else {
                    return diagnostic(line: line, column: column,
                        "the alias `*\(name)` refers to no anchor `&\(name)` completed before it in this document; define the anchor first")
                }
                size = known
            }
            // Both counts stay below their limits (each anchor's size is at most the
            // document's count), so the additions cannot overflow.
            documentNodes += size
            fileNodes += size
            if documentNodes > limits.maxNodesPerDocument {
                return diagnostic(line: line, column: column, nodeLimitMessage(
                    "this document has more than \(limits.maxNodesPerDocument) nodes (the limit per document)", alias: type == YAML_ALIAS_EVENT ? anchor : nil))
            }
            if fileNodes > limits.maxNodesPerFile {
                return diagnostic(line: line, column: column, nodeLimitMessage(
                    "the file has more than \(limits.maxNodesPerFile) nodes (the limit per file)", alias: type == YAML_ALIAS_EVENT ? anchor : nil))
            }
            if type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT {
                if frames.count >= limits.maxDepth {
                    return diagnostic(line: line, column: column,
                        "lists and mappings are nested more than \(limits.maxDepth) deep here (the limit); flatten the document")
                }
                frames.append(Frame(isMapping: type == YAML_MAPPING_START_EVENT, expectingKey: true,
                                    anchor: anchor, nodesBefore: documentNodes - 1))
            } else {
                if type == YAML_SCALAR_EVENT, let anchor { anchorSizes[anchor] = 1 }
                Self.completeNode(in: &frames)
            }

        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            if let closed = frames.popLast(), let anchor = closed.anchor {
                anchorSizes[anchor] = documentNodes - closed.nodesBefore
            }
            Self.completeNode(in: &frames)

        default:
            break // stream start and end, document end
        }
        return nil
    }

    /// Why a node cannot be a mapping key, if it cannot.
    private func keyProblem(type: yaml_event_type_t, anchor: String?) -> String? {
        switch type {
        case YAML_ALIAS_EVENT:
            return "an alias (`*\(anchor ?? "")`) cannot be a mapping key; write the key out"
        case YAML_SEQUENCE_START_EVENT:
            return "a mapping key must be a plain string, not a list"
        case YAML_MAPPING_START_EVENT:
            return "a mapping key must be a plain string, not a mapping"
        default:
            if let anchor {
                return "an anchor (`&\(anchor)`) cannot be set on a mapping key; anchor the value instead"
            }
            return nil
        }
    }

    private func nodeLimitMessage(_ what: String, alias: String?) -> String {
        if let alias {
            return "\(what) once the alias `*\(alias)` is expanded; an alias counts as every node it refers to, so remove the nested aliases"
        }
        return "\(what); split it into smaller documents or files"
    }

    /// A node just ended: in a mapping, a key is followed by a value and a value by a key.
    private static func completeNode(in frames: inout [Frame]) {
        guard let last = frames.indices.last, frames[last].isMapping else { return }
        frames[last].expectingKey.toggle()
    }

    private static func anchor(of event: yaml_event_t) -> String? {
        let pointer: UnsafeMutablePointer<yaml_char_t>?
        switch event.type {
        case YAML_ALIAS_EVENT: pointer = event.data.alias.anchor
        case YAML_SCALAR_EVENT: pointer = event.data.scalar.anchor
        case YAML_SEQUENCE_START_EVENT: pointer = event.data.sequence_start.anchor
        case YAML_MAPPING_START_EVENT: pointer = event.data.mapping_start.anchor
        default: pointer = nil
        }
        return pointer.map { String(decodingCString: $0, as: UTF8.self) }
    }

    /// libyaml's error as a diagnostic: at the byte it could not read, or at the problem
    /// with the place it started from (the unclosed `[`, the open quote) in the message.
    func parserProblem(_ parser: yaml_parser_t, bytes: UnsafeRawBufferPointer) -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        if parser.error == YAML_READER_ERROR {
            let (line, column) = textPosition(ofByte: Int(parser.problem_offset), in: bytes)
            let value = parser.problem_value
            if problem == "control characters are not allowed" {
                let code = "U+" + String(UInt32(bitPattern: value), radix: 16, uppercase: true).leftPadded(to: 4)
                return diagnostic(line: line, column: column,
                    "the control character \(code) is not allowed in YAML; remove it (or write it as an escape in a double-quoted string)")
            }
            return diagnostic(line: line, column: column, "the file is not valid UTF-8 here (\(problem)); save it as UTF-8")
        }
        if parser.error == YAML_MEMORY_ERROR {
            return diagnostic(line: 1, column: 1, "the YAML parser ran out of memory; the revision is read again on the next attempt")
        }
        if problem.hasPrefix("Maximum nesting level reached") {
            // libyaml's own bound (1,000 levels, counted by its scanner, which reads ahead
            // on a line): placed where its scanner got to, which is where it was crossed.
            return diagnostic(line: Int(parser.mark.line) + 1, column: Int(parser.mark.column) + 1,
                              "lists and mappings are nested more than \(limits.maxDepth) deep here (the limit); flatten the document")
        }
        let line = Int(parser.problem_mark.line) + 1, column = Int(parser.problem_mark.column) + 1
        var message = "YAML syntax error: \(problem)"
        if let contextText = parser.context.map({ String(cString: $0) }) {
            let openLine = Int(parser.context_mark.line) + 1, openColumn = Int(parser.context_mark.column) + 1
            let opened = "\(path):\(openLine):\(openColumn)"
            switch contextText {
            case "while parsing a flow sequence":
                message += "; the list opened with `[` at \(opened) is not closed before here"
            case "while parsing a flow mapping":
                message += "; the mapping opened with `{` at \(opened) is not closed before here"
            default:
                message += " (\(contextText) started at \(opened))"
            }
        }
        return diagnostic(line: line, column: column, message)
    }

    func diagnostic(line: Int, column: Int, _ message: String) -> Diagnostic {
        Diagnostic(.error, at: SourcePosition(file: path, line: line, column: column), field: "", message: message)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
