/// Where a node starts in its file: 1-based line and column (columns count Unicode
/// scalars, as libyaml's marks and every diagnostic do).
package struct YAMLMark: Sendable, Hashable {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// One YAML node as ``YAMLDocumentBuilder`` composes it from libyaml's events: scalars
/// keep their text, style and mark and are typed only when a field asks for a value
/// (``YAMLScalar/kind``); an alias is the node its anchor names (shared, not copied).
package indirect enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], mark: YAMLMark)
    case mapping([(key: YAMLNode, value: YAMLNode)], mark: YAMLMark)

    /// Where the node starts.
    package var mark: YAMLMark {
        switch self {
        case let .scalar(scalar): return scalar.mark
        case let .sequence(_, mark), let .mapping(_, mark): return mark
        }
    }

    /// The scalar, when the node is one.
    package var scalar: YAMLScalar? {
        if case let .scalar(scalar) = self { return scalar }
        return nil
    }

    /// Whether the node is an explicit or implicit YAML null (`~`, `null`, or nothing).
    package var isNull: Bool { scalar?.kind == .null }
}

/// A scalar's text as written (after YAML's quoting and folding rules), its style and the
/// explicit tag, if one was written.
package struct YAMLScalar: Sendable {
    package enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    package var string: String
    package var style: Style
    package var mark: YAMLMark
    /// The tag as libyaml gives it (`tag:yaml.org,2002:int` for `!!int`), or nil.
    package var tag: String?

    package init(_ string: String, style: Style = .plain, tag: String? = nil, mark: YAMLMark) {
        self.string = string
        self.style = style
        self.tag = tag
        self.mark = mark
    }

    /// What the scalar is under the YAML 1.2 core schema (see ``YAMLScalarKind``): quoted
    /// and block scalars are strings, plain ones are typed by their spelling, an explicit
    /// `!!str`/`!!int`/`!!float`/`!!bool`/`!!null` tag is honoured.
    package var kind: YAMLScalarKind {
        guard let tag, tag != "!" else {
            return style == .plain ? YAMLScalarKind(plain: string) : .string
        }
        let core = "tag:yaml.org,2002:"
        guard tag.hasPrefix(core) else { return .tagged(tag) }
        let implied = YAMLScalarKind(plain: string)
        switch tag.dropFirst(core.count) {
        case "str": return .string
        case "null" where implied == .null: return .null
        case "bool" where implied == .bool: return .bool
        case "int" where implied == .int: return .int
        case "float" where implied == .float || implied == .int: return .float
        default: return .tagged(tag)
        }
    }

    /// `true`/`false` in the core schema's spellings, or nil.
    package var bool: Bool? {
        switch string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// The integer a core-schema integer spells (decimal, `0o` octal, `0x` hex), or nil
    /// when it is none or does not fit in 64 bits.
    package var int: Int? { parseCoreInteger(string) }

    /// The number a core-schema integer or float spells (`.inf`, `.nan` included), or nil.
    package var float: Double? {
        if let integer = parseCoreInteger(string) { return Double(integer) }
        var text = Substring(string)
        var sign = 1.0
        if let first = text.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            text = text.dropFirst()
        }
        switch text {
        case ".inf", ".Inf", ".INF": return sign * .infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // `1.` and `1.e3` are YAML floats; strtod wants a digit after the point.
        var normalized = String(text)
        if let point = normalized.firstIndex(of: ".") {
            let after = normalized.index(after: point)
            if after == normalized.endIndex || normalized[after] == "e" || normalized[after] == "E" {
                normalized.insert("0", at: after)
            }
        }
        return Double(normalized).map { sign * $0 }
    }
}

/// What a scalar is: the YAML 1.2 core schema's types, plus the spellings YAML 1.1 (and
/// so Yams, PyYAML and Kubernetes' decoders) types differently, which are rejected
/// wherever a value is read so that no manifest means one thing here and another there.
package enum YAMLScalarKind: Sendable, Hashable {
    case string, null, bool, int, float
    /// `yes`/`no`/`on`/`off` (any case YAML 1.1 allows): booleans in YAML 1.1, strings in 1.2.
    case yaml11Bool
    /// `010` (octal 8 in YAML 1.1, decimal 10 in 1.2), `0b101`, `1_000`, `1:30`:
    /// integers in YAML 1.1 only, or with another value.
    case yaml11Int
    /// `1_000.5`, `1:30.5`: floats in YAML 1.1 only.
    case yaml11Float
    /// An explicit tag this decoder does not read (`!custom`, or `!!int` on a non-integer).
    case tagged(String)

    /// The type of a plain (unquoted, untagged) scalar.
    package init(plain text: String) {
        guard let first = text.utf8.first else { self = .null; return }
        // Most scalars are names and words: decided by their first byte.
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
             UInt8(ascii: "~"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
             UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "o"),
             UInt8(ascii: "O"):
            break
        default:
            self = .string
            return
        }
        switch text {
        case "~", "null", "Null", "NULL": self = .null; return
        case "true", "True", "TRUE", "false", "False", "FALSE": self = .bool; return
        case "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF": self = .yaml11Bool; return
        default: break
        }
        var utf8 = Array(text.utf8)
        var signed = false
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            utf8.removeFirst()
            signed = true
        }
        let body = String(decoding: utf8, as: UTF8.self)
        switch body {
        case ".inf", ".Inf", ".INF": self = .float; return
        case ".nan", ".NaN", ".NAN": self = signed ? .string : .float; return
        default: break
        }
        self = Self.numeric(utf8)
    }

    /// The type of an unsigned number-like spelling, `.string` when it is none.
    private static func numeric(_ bytes: [UInt8]) -> YAMLScalarKind {
        func all(_ slice: ArraySlice<UInt8>, _ allowed: (UInt8) -> Bool) -> Bool {
            !slice.isEmpty && slice.allSatisfy(allowed)
        }
        let digit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let underscore = bytes.contains(UInt8(ascii: "_"))
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            let rest = bytes[2...]
            switch bytes[1] {
            case UInt8(ascii: "x"):
                guard all(rest, { digit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0 | 0x20) || $0 == UInt8(ascii: "_") }) else { return .string }
                return underscore ? .yaml11Int : .int
            case UInt8(ascii: "o"):
                guard all(rest, { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) || $0 == UInt8(ascii: "_") }) else { return .string }
                return underscore ? .yaml11Int : .int
            case UInt8(ascii: "b"):
                return all(rest, { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") || $0 == UInt8(ascii: "_") }) ? .yaml11Int : .string
            default:
                break
            }
        }
        if bytes.contains(UInt8(ascii: ":")) {
            // Sexagesimal (`1:30`, `1:30.5`): YAML 1.1 only.
            let parts = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard let head = parts.first, let leading = head.first, digit(leading),
                  all(head, { digit($0) || $0 == UInt8(ascii: "_") }) else { return .string }
            /// `[0-5]?[0-9]`
            func isBase60Digit(_ part: ArraySlice<UInt8>) -> Bool {
                guard let first = part.first, all(part, digit) else { return false }
                return part.count == 1 || (part.count == 2 && first <= UInt8(ascii: "5"))
            }
            for part in parts.dropFirst().dropLast() where !isBase60Digit(part) { return .string }
            let last = parts[parts.count - 1]
            if let point = last.firstIndex(of: UInt8(ascii: ".")) {
                let fraction = last[(point + 1)...]
                guard isBase60Digit(last[..<point]),
                      fraction.allSatisfy({ digit($0) || $0 == UInt8(ascii: "_") }) else { return .string }
                return .yaml11Float
            }
            return isBase60Digit(last) ? .yaml11Int : .string
        }
        // Decimal integer or float: digits[.digits][e[+-]digits], or .digits[e…].
        var index = 0
        var integerDigits = 0
        while index < bytes.count, digit(bytes[index]) || bytes[index] == UInt8(ascii: "_") {
            if digit(bytes[index]) { integerDigits += 1 }
            index += 1
        }
        if index == bytes.count {
            guard integerDigits > 0, digit(bytes[0]) else { return .string }
            if underscore { return .yaml11Int }
            return bytes.count > 1 && bytes[0] == UInt8(ascii: "0") ? .yaml11Int : .int
        }
        var fractionDigits = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, digit(bytes[index]) || bytes[index] == UInt8(ascii: "_") {
                if digit(bytes[index]) { fractionDigits += 1 }
                index += 1
            }
        }
        guard integerDigits + fractionDigits > 0 else { return .string }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            let exponent = bytes[index...]
            guard all(exponent, digit) else { return .string }
            index = bytes.count
        }
        guard index == bytes.count else { return .string }
        return underscore ? .yaml11Float : .float
    }
}

/// A core-schema integer's value: `[-+]?[0-9]+`, `[-+]?0o[0-7]+`, `[-+]?0x[0-9a-fA-F]+`.
private func parseCoreInteger(_ text: String) -> Int? {
    var body = Substring(text)
    var negative = false
    if let first = body.first, first == "-" || first == "+" {
        negative = first == "-"
        body = body.dropFirst()
    }
    let magnitude: Int?
    if body.hasPrefix("0x") {
        magnitude = Int(body.dropFirst(2), radix: 16)
    } else if body.hasPrefix("0o") {
        magnitude = Int(body.dropFirst(2), radix: 8)
    } else if body.count > 1, body.hasPrefix("0") {
        return nil // `010`: octal in YAML 1.1, decimal in 1.2 — not read as either
    } else {
        // Parsed with its sign, so Int.min fits.
        return Int(text, radix: 10)
    }
    guard let magnitude else { return nil }
    return negative ? -magnitude : magnitude
}
