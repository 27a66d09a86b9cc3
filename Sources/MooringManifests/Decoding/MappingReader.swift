/// Reads one YAML mapping field by field, reporting wrong types, out-of-range values and
/// unknown keys (with a "did you mean" suggestion) to the context, and carrying on so
/// every problem in a file is found in one pass.
package struct MappingReader {
    package let node: YAMLNode
    package let path: String
    package let context: DecodingContext
    private var values: [String: (key: YAMLNode, value: YAMLNode)] = [:]

    /// Reads `node` as a mapping whose only allowed keys are `known`; `nil` (after a
    /// diagnostic) when it is not a mapping.
    package init?(_ node: YAMLNode, path: String, known: [String], context: DecodingContext) {
        self.node = node
        self.path = path
        self.context = context
        guard case let .mapping(mapping, _) = node else {
            context.error(node, field: path, "expected a mapping, got \(describeType(node))")
            return nil
        }
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key, scalar.kind == .string else {
                context.error(key, field: path, "keys must be strings, got \(describeType(key))")
                continue
            }
            let name = scalar.string
            guard known.contains(name) else {
                var message = "unknown field `\(name)`"
                if let suggestion = closestMatch(to: name, in: known) {
                    message += "; did you mean `\(suggestion)`?"
                } else {
                    message += "; known fields here: \(known.joined(separator: ", "))"
                }
                context.error(key, field: join(path, name), message)
                continue
            }
            values[name] = (key, value)
        }
    }

    /// The raw value node for `key`, treating an explicit null as absent.
    package func node(_ key: String) -> YAMLNode? {
        guard let entry = values[key], !entry.value.isNull else { return nil }
        return entry.value
    }

    /// Position of `key`'s value (or of the key, or of this mapping).
    package func position(_ key: String) -> SourcePosition {
        if let entry = values[key] {
            return context.position(of: entry.value, fallback: context.position(of: entry.key))
        }
        return context.position(of: node)
    }

    /// Reports `key` as missing, at this mapping's position.
    package func missing(_ key: String, hint: String) {
        context.error(node, field: join(path, key), "missing required field `\(key)`; \(hint)")
    }

    package func has(_ key: String) -> Bool { node(key) != nil }

    // MARK: Scalars

    package func string(_ key: String, templated: Bool = false) -> Located<String>? {
        guard let value = node(key) else { return nil }
        return stringValue(value, field: join(path, key), templated: templated)
    }

    /// Reads a string scalar; with `templated`, also checks its `{{…}}` references.
    package func stringValue(_ value: YAMLNode, field: String, templated: Bool = false) -> Located<String>? {
        guard case let .scalar(scalar) = value, scalar.kind == .string else {
            var message = "expected a string, got \(describeType(value))"
            if case let .scalar(scalar) = value { message += "; quote it: \"\(scalar.string)\"" }
            context.error(value, field: field, message)
            return nil
        }
        if templated { checkTemplates(scalar, node: value, field: field) }
        return Located(scalar.string, at: context.position(of: value))
    }

    /// Reports unknown or unclosed template variables, pointing at the `{{` itself when
    /// the scalar sits on one line.
    private func checkTemplates(_ scalar: YAMLScalar, node: YAMLNode, field: String) {
        let base = context.position(of: node)
        let text = scalar.string
        for reference in templateReferences(in: text) {
            var position = base
            let before = String(String.UnicodeScalarView(text.unicodeScalars.prefix(reference.offset)))
            if !before.contains("\n") {
                let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                position.column = base.column + reference.offset + (quoted ? 1 : 0)
            }
            let known = TemplateVariable.allCases.map(\.rawValue)
            if !reference.closed {
                context.error(at: position, field: field, "unclosed template variable `{{\(reference.name)`; close it with `}}`")
            } else if let host = HostVariable.name(in: reference.name) {
                checkHostVariable(host, at: position, field: field)
            } else if let port = NamedPorts.name(in: reference.name) {
                // Whether the port is declared is checked on the merged spec (DeploymentResolver).
                if let problem = NamedPorts.problem(port) {
                    context.error(at: position, field: field, "`{{ports.\(port)}}`: \(problem)")
                }
            } else if TemplateVariable(rawValue: reference.name) == nil {
                var message = "unknown template variable `{{\(reference.name)}}`"
                if let suggestion = closestMatch(to: reference.name, in: known) {
                    message += "; did you mean `{{\(suggestion)}}`?"
                }
                message += " (known: \(known.map { "{{\($0)}}" }.joined(separator: ", ")), {{ports.NAME}} for a port in spec.ports, {{host.NAME}})"
                context.error(at: position, field: field, message)
            }
        }
    }

    /// `{{host.NAME}}`: an error when the host's names are known and `NAME` is not one of
    /// them; a warning that it is unchecked when they are not known.
    private func checkHostVariable(_ name: String, at position: SourcePosition, field: String) {
        guard HostVariable.isValidName(name) else {
            context.error(at: position, field: field,
                          "`{{host.\(name)}}` is not a valid host variable name; use letters, digits, `_` and `-`")
            return
        }
        guard let known = context.hostVariables else {
            context.warning(at: position, field: field,
                            "`{{host.\(name)}}` is not checked: no host configuration was given (--config); the controller rejects the commit if its host defines no hostVars.\(name)")
            return
        }
        guard !known.contains(name) else { return }
        var message = "unknown host variable `{{host.\(name)}}`"
        if let suggestion = closestMatch(to: name, in: Array(known)) {
            message += "; did you mean `{{host.\(suggestion)}}`?"
        }
        message += known.isEmpty
            ? " (the host configuration defines no hostVars; add `\(name)` under hostVars there)"
            : " (the host defines: \(known.sorted().map { "{{host.\($0)}}" }.joined(separator: ", ")))"
        context.error(at: position, field: field, message)
    }

    package func int(_ key: String, in range: ClosedRange<Int>, unit: String = "") -> Int? {
        guard let value = node(key) else { return nil }
        let field = join(path, key)
        guard let scalar = value.scalar, scalar.kind == .int, let number = scalar.int else {
            if value.scalar?.kind == .int {
                // An integer YAML accepts but that does not fit in 64 bits.
                context.error(value, field: field, "\(value.scalar?.string ?? "the integer") is too large; use a value from \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " \(unit)")")
            } else {
                context.error(value, field: field, "expected an integer\(unit.isEmpty ? "" : " (\(unit))"), got \(describeType(value))\(yaml11Hint(value))")
            }
            return nil
        }
        guard range.contains(number) else {
            context.error(value, field: field, "\(number) is out of range; use a value from \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " \(unit)")")
            return nil
        }
        return number
    }

    package func double(_ key: String, in range: ClosedRange<Double>, unit: String = "") -> Double? {
        guard let value = node(key) else { return nil }
        let field = join(path, key)
        guard let scalar = value.scalar, scalar.kind == .int || scalar.kind == .float,
              let number = scalar.float, number.isFinite else {
            context.error(value, field: field, "expected a number\(unit.isEmpty ? "" : " (\(unit))"), got \(describeType(value))\(yaml11Hint(value))")
            return nil
        }
        guard range.contains(number) else {
            context.error(value, field: field, "\(formatNumber(number)) is out of range; use a value from \(formatNumber(range.lowerBound)) to \(formatNumber(range.upperBound))\(unit.isEmpty ? "" : " \(unit)")")
            return nil
        }
        return number
    }

    package func bool(_ key: String) -> Bool? {
        guard let value = node(key) else { return nil }
        guard let scalar = value.scalar, scalar.kind == .bool, let flag = scalar.bool else {
            context.error(value, field: join(path, key), "expected true or false, got \(describeType(value))\(yaml11Hint(value))")
            return nil
        }
        return flag
    }

    /// A string that must be one of `E`'s raw values.
    package func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) -> E? where E.RawValue == String {
        guard let located = string(key) else { return nil }
        if let value = E(rawValue: located.value) { return value }
        let allowed = E.allCases.map(\.rawValue)
        var message = "`\(located.value)` is not a valid value; use one of \(allowed.joined(separator: ", "))"
        if let suggestion = closestMatch(to: located.value, in: allowed) {
            message = "`\(located.value)` is not a valid value; did you mean `\(suggestion)`? (one of \(allowed.joined(separator: ", ")))"
        }
        context.error(at: located.position, field: join(path, key), message)
        return nil
    }

    // MARK: Collections

    /// A list of strings; each element's position is kept.
    package func stringList(_ key: String, templated: Bool = false) -> [Located<String>]? {
        guard let value = node(key) else { return nil }
        let field = join(path, key)
        guard case let .sequence(sequence, _) = value else {
            context.error(value, field: field, "expected a list of strings, got \(describeType(value))")
            return nil
        }
        var result: [Located<String>] = []
        var ok = true
        for (index, element) in sequence.enumerated() {
            if let item = stringValue(element, field: "\(field)[\(index)]", templated: templated) {
                result.append(item)
            } else {
                ok = false
            }
        }
        return ok ? result : nil
    }

    /// A mapping of strings to strings (labels, env); values' positions are kept.
    package func stringMap(_ key: String, templated: Bool = false) -> [String: Located<String>]? {
        guard let value = node(key) else { return nil }
        let field = join(path, key)
        guard case let .mapping(mapping, _) = value else {
            context.error(value, field: field, "expected a mapping of strings, got \(describeType(value))")
            return nil
        }
        var result: [String: Located<String>] = [:]
        for (k, v) in mapping {
            guard case let .scalar(keyScalar) = k, keyScalar.kind == .string else {
                context.error(k, field: field, "keys must be strings, got \(describeType(k))")
                continue
            }
            if v.isNull {
                result[keyScalar.string] = Located("", at: context.position(of: v, fallback: context.position(of: k)))
                continue
            }
            if let item = stringValue(v, field: join(field, keyScalar.string), templated: templated) {
                result[keyScalar.string] = item
            }
        }
        return result
    }

    /// Where each value of the mapping under `key` is written, by key; reports nothing
    /// (the mapping is read, and reported on, by its own reader).
    package func valuePositions(in key: String) -> [String: SourcePosition] {
        guard case let .mapping(mapping, _)? = node(key) else { return [:] }
        var positions: [String: SourcePosition] = [:]
        for (k, v) in mapping {
            guard case let .scalar(scalar) = k else { continue }
            positions[scalar.string] = context.position(of: v, fallback: context.position(of: k))
        }
        return positions
    }

    /// A nested mapping, read with its own known keys.
    package func mapping(_ key: String, known: [String]) -> MappingReader? {
        guard let value = node(key) else { return nil }
        return MappingReader(value, path: join(path, key), known: known, context: context)
    }
}

/// How to write a YAML 1.1 spelling so that it means what it meant there, for messages
/// about a field that wants a boolean or a number.
private func yaml11Hint(_ node: YAMLNode) -> String {
    switch node.scalar?.kind {
    case .yaml11Bool?: return "; YAML 1.2 reads it as a string: write true or false"
    case .yaml11Int?, .yaml11Float?:
        return "; YAML 1.2 reads it otherwise: write a plain decimal number (no leading zeros, `_` or `:`), `0o` for octal or `0x` for hex"
    default: return ""
    }
}

/// `3` for whole numbers, `0.5` otherwise.
package func formatNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}
