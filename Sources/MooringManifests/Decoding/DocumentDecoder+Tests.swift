import MooringModelChecks

/// `spec.tests`: golden requests, decoded with positions. Files they name are read by the
/// resolver, at the revision.
extension DocumentDecoder {
    static let testKeys = [
        "name", "method", "path", "headers", "body", "bodyFile", "expect", "maxLatencyMillis",
        "percentile", "repeat", "batch",
    ]
    static let expectKeys = ["status", "json"]
    static let assertionKeys = ["path", "equals", "oneOf", "approx", "matches"]
    static let approxKeys = ["value", "absolute", "relative"]
    static let batchKeys = ["file", "path", "minAccuracy"]
    static let testMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]

    func decodeTests(_ spec: MappingReader) -> [ModelTestFragment] {
        guard let list = spec.node("tests") else { return [] }
        guard case let .sequence(sequence, _) = list else {
            context.error(list, field: "spec.tests", "expected a list of checks, got \(describeType(list))")
            return []
        }
        if sequence.count > ManifestDefaults.maxTests {
            context.error(list, field: "spec.tests", "\(sequence.count) checks is too many; give at most \(ManifestDefaults.maxTests)")
        }
        var fragments: [ModelTestFragment] = []
        var names: [String: SourcePosition] = [:]
        for (index, node) in sequence.prefix(ManifestDefaults.maxTests).enumerated() {
            let path = "spec.tests[\(index)]"
            guard let reader = MappingReader(node, path: path, known: Self.testKeys, context: context),
                  let fragment = decodeTest(reader, path: path) else { continue }
            let name = fragment.check.name
            if let earlier = names[name] {
                context.error(at: reader.position("name"), field: "\(path).name",
                              "a check named `\(name)` is already defined at line \(earlier.line); give each check its own name")
            }
            names[name] = reader.position("name")
            fragments.append(fragment)
        }
        return fragments
    }

    private func decodeTest(_ reader: MappingReader, path: String) -> ModelTestFragment? {
        guard let name = reader.string("name") else {
            if !reader.has("name") { reader.missing("name", hint: "name the check, such as `iris-setosa`; it names the check in status and reports") }
            return nil
        }
        if let problem = dnsLabelProblem(name.value) {
            context.error(at: name.position, field: "\(path).name", problem)
        }
        guard let requestPath = reader.string("path", templated: true) else {
            if !reader.has("path") { reader.missing("path", hint: "give the request path, such as `/v2/models/{{name}}/infer`") }
            return nil
        }
        if !requestPath.value.hasPrefix("/") {
            context.error(at: requestPath.position, field: "\(path).path", "`\(requestPath.value)` must start with `/`, such as `/v2/models/{{name}}/infer`")
        }
        var check = ModelCheck(name: name.value, path: requestPath.value)
        var fragment = ModelTestFragment(check: check, position: context.position(of: reader.node))

        if reader.has("body") && reader.has("bodyFile") {
            context.error(at: reader.position("bodyFile"), field: "\(path).bodyFile", "give `body` or `bodyFile`, not both")
        }
        if let body = reader.node("body") {
            if case let .scalar(scalar) = body, scalar.kind == .string {
                check.body = reader.stringValue(body, field: "\(path).body", templated: true)?.value
            } else if let json = jsonValue(body, field: "\(path).body") {
                check.body = json.json
            }
        }
        fragment.bodyFile = reader.string("bodyFile")
        if let file = fragment.bodyFile { checkRepositoryPath(file, field: "\(path).bodyFile") }

        let sendsBody = check.body != nil || fragment.bodyFile != nil || reader.has("batch")
        check.method = sendsBody ? "POST" : "GET"
        if let method = reader.string("method") {
            let upper = method.value.uppercased()
            if Self.testMethods.contains(upper) { check.method = upper } else {
                context.error(at: method.position, field: "\(path).method",
                              "`\(method.value)` is not a method checks can use; use one of \(Self.testMethods.joined(separator: ", "))")
            }
        }
        for (key, value) in reader.stringMap("headers", templated: true) ?? [:] {
            if key.isEmpty || key.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline }) || value.value.contains(where: \.isNewline) {
                context.error(at: value.position, field: "\(path).headers.\(key)", "`\(key)` is not a valid header; use a name without `:` or spaces and a value on one line")
                continue
            }
            check.headers[key] = value.value
        }

        if let expect = reader.mapping("expect", known: Self.expectKeys) {
            check.status = expect.int("status", in: 100...599) ?? check.status
            check.assertions = decodeAssertions(expect, path: "\(path).expect")
        }
        check.maxLatencyMillis = reader.int("maxLatencyMillis", in: 1...600_000, unit: "milliseconds")
        check.latencyStatistic = reader.enumeration("percentile", LatencyStatistic.self) ?? .p95
        check.repeatCount = reader.int("repeat", in: 1...ManifestDefaults.maxTestRepeat) ?? 1

        if let batch = reader.mapping("batch", known: Self.batchKeys) {
            fragment.batchFile = batch.string("file")
            if let file = fragment.batchFile { checkRepositoryPath(file, field: "\(path).batch.file") } else if !batch.has("file") {
                batch.missing("file", hint: "give a JSON file in the repository: a list of {\"body\": …, \"expected\": …}")
            }
            if let written = batch.string("path") {
                fragment.batchPath = jsonPath(written, field: "\(path).batch.path")
            } else if !batch.has("path") {
                batch.missing("path", hint: "give the JSON path of the predicted label in each answer, such as `$.outputs[0].data[0]`")
            }
            fragment.minAccuracy = batch.double("minAccuracy", in: 0...1) ?? 1
            if reader.has("body") || reader.has("bodyFile") {
                context.error(at: reader.position("batch"), field: "\(path).batch", "a batch sends its own bodies; remove `body`/`bodyFile`")
            }
            if reader.has("repeat") {
                context.error(at: reader.position("repeat"), field: "\(path).repeat", "a batch sends each of its rows once; remove `repeat`")
            }
        }
        fragment.check = check
        return fragment
    }

    private func decodeAssertions(_ expect: MappingReader, path: String) -> [Assertion] {
        guard let list = expect.node("json") else { return [] }
        guard case let .sequence(sequence, _) = list else {
            context.error(list, field: "\(path).json", "expected a list of assertions such as `- {path: $.outputs[0].data[0], equals: 0}`, got \(describeType(list))")
            return []
        }
        var assertions: [Assertion] = []
        for (index, node) in sequence.enumerated() {
            let field = "\(path).json[\(index)]"
            guard let reader = MappingReader(node, path: field, known: Self.assertionKeys, context: context) else { continue }
            let kinds = ["equals", "oneOf", "approx", "matches"].filter { reader.has($0) }
            guard kinds.count == 1 else {
                context.error(node, field: field, kinds.isEmpty
                    ? "give one of equals, oneOf, approx or matches"
                    : "give one of \(kinds.joined(separator: ", ")), not \(kinds.count)")
                continue
            }
            guard let written = reader.string("path") else {
                if !reader.has("path") { reader.missing("path", hint: "give the JSON path of the value, such as `$.outputs[0].data[0]`") }
                continue
            }
            guard let jsonPath = jsonPath(written, field: "\(field).path") else { continue }
            var kind: Assertion.Kind?
            if let value = reader.node("equals") {
                kind = jsonValue(value, field: "\(field).equals").map { .equals($0) }
            } else if let value = reader.node("oneOf") {
                if case let .array(options)? = jsonValue(value, field: "\(field).oneOf"), !options.isEmpty { kind = .oneOf(options) } else {
                    context.error(value, field: "\(field).oneOf", "expected a non-empty list of values")
                }
            } else if let approx = reader.mapping("approx", known: Self.approxKeys) {
                let absolute = approx.double("absolute", in: 0...Double.greatestFiniteMagnitude)
                let relative = approx.double("relative", in: 0...Double.greatestFiniteMagnitude)
                if let valueNode = approx.node("value"), let value = jsonValue(valueNode, field: "\(field).approx.value") {
                    if isNumeric(value) { kind = .approx(value, absolute: absolute, relative: relative) } else {
                        context.error(valueNode, field: "\(field).approx.value", "expected a number or a list of numbers")
                    }
                } else if !approx.has("value") {
                    approx.missing("value", hint: "give the expected number or list of numbers, with `absolute` and/or `relative` tolerances")
                }
            } else if let pattern = reader.string("matches") {
                if let problem = Assertion.regexProblem(pattern.value) {
                    context.error(at: pattern.position, field: "\(field).matches", problem)
                } else {
                    kind = .matches(pattern.value)
                }
            }
            if let kind { assertions.append(Assertion(path: jsonPath, kind: kind)) }
        }
        return assertions
    }

    private func isNumeric(_ value: JSONValue) -> Bool {
        switch value {
        case .number: return true
        case let .array(items): return !items.isEmpty && items.allSatisfy(isNumeric)
        default: return false
        }
    }

    private func jsonPath(_ written: Located<String>, field: String) -> JSONPath? {
        do {
            return try JSONPath(written.value)
        } catch {
            context.error(at: written.position, field: field, "\(error)")
            return nil
        }
    }

    /// Repository paths of test files: relative, no `..` (existence is checked at the revision).
    private func checkRepositoryPath(_ file: Located<String>, field: String) {
        if file.value.isEmpty || file.value.hasPrefix("/") || file.value.split(separator: "/").contains("..") {
            context.error(at: file.position, field: field, "`\(file.value)` must be a path inside the repository, without a leading `/` or `..`, such as `tests/iris-setosa.json`")
        }
    }

    /// A YAML value as JSON: scalars by their YAML 1.2 type, lists, and mappings with
    /// string keys. YAML 1.1 spellings (`yes`, `010`, …) are refused as everywhere else.
    func jsonValue(_ node: YAMLNode, field: String) -> JSONValue? {
        switch node {
        case let .scalar(scalar):
            switch scalar.kind {
            case .null: return .null
            case .bool: return scalar.bool.map(JSONValue.bool)
            case .int, .float:
                guard let number = scalar.float, number.isFinite else {
                    context.error(node, field: field, "`\(scalar.string)` is not a finite number")
                    return nil
                }
                return .number(number)
            case .yaml11Bool, .yaml11Int, .yaml11Float:
                context.error(node, field: field, "`\(scalar.string)` means different things in YAML 1.1 and 1.2; quote it for a string, or write true/false or a plain number")
                return nil
            case .string, .tagged: return .string(scalar.string)
            }
        case let .sequence(sequence, _):
            var items: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                guard let item = jsonValue(element, field: "\(field)[\(index)]") else { return nil }
                items.append(item)
            }
            return .array(items)
        case let .mapping(mapping, _):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case let .scalar(name) = key else {
                    context.error(key, field: field, "keys must be strings, got \(describeType(key))")
                    return nil
                }
                guard let member = jsonValue(value, field: "\(field).\(name.string)") else { return nil }
                members[name.string] = member
            }
            return .object(members)
        }
    }
}
