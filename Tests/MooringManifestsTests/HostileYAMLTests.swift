import Foundation
import MooringManifests
import MooringTesting
import Testing

/// Hostile and broken YAML is rejected with a diagnostic at the offending byte, alias or
/// node — promptly and in bounded memory. The bounds asserted here are limits ("returns
/// within 30 s", "peak memory grows by less than 200 MB"), not benchmarks; `make bench`
/// reports the real figures.
@Suite(.serialized)
struct HostileYAMLTests {
    /// Loads `files` on a thread of its own with a 512 KiB stack (as small as secondary
    /// threads get), failing the test when that takes over 30 s or grows the process's
    /// peak memory by 200 MB or more.
    static func load(
        _ files: [ManifestFile], limits: ManifestLimits = .default,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> ManifestSet {
        let before = peakResidentBytes()
        let set = await runWithHangDeadline(.seconds(30), stackSize: 512 << 10) {
            ManifestSet.load(files: files, limits: limits)
        }
        let growth = peakResidentBytes() - before
        #expect(growth < 200 << 20, "peak memory grew by \(growth >> 20) MiB", sourceLocation: sourceLocation)
        return try #require(set, "loading did not return within 30 s", sourceLocation: sourceLocation)
    }

    static func load(_ name: String, _ text: String, limits: ManifestLimits = .default,
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> ManifestSet {
        try await load([ManifestFile(path: name, contents: Data(text.utf8))], limits: limits, sourceLocation: sourceLocation)
    }

    /// The billion laughs: nine levels of nine aliases each, ~387 million nodes expanded.
    static let laughs: [String] = {
        var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
            previous = name
        }
        return lines
    }()

    @Test func anAliasBombInValuesStopsAtTheAliasThatCrossesTheNodeLimit() async throws {
        let set = try await Self.load("bomb.yaml", Self.laughs.joined(separator: "\n") + "\n")
        // a…e expand to 74,738 nodes; the first `*e` on line 6 (f) takes the document past 100,000.
        #expect(set.diagnostics.map(\.description) == [
            "bomb.yaml:6:8: error: this document has more than 100000 nodes (the limit per document) once the alias `*e` is expanded; an alias counts as every node it refers to, so remove the nested aliases",
        ])
    }

    /// Five levels (a…e, 66,430 nodes behind `*e`, within the limit) and `*e` as a key:
    /// Yams would hash the expanded key; the alias is rejected before that.
    @Test(arguments: [
        ("? *e\n: x\n", 6, 3),   // explicit key
        ("*e : x\n", 6, 1),      // implicit key
        ("k: {*e : x}\n", 6, 5), // in a flow mapping
    ])
    func anAliasBombAsAMappingKeyIsRejectedAtTheAlias(key: String, line: Int, column: Int) async throws {
        let set = try await Self.load("bomb.yaml", Self.laughs.prefix(5).joined(separator: "\n") + "\n" + key)
        #expect(set.diagnostics.map(\.description) == [
            "bomb.yaml:\(line):\(column): error: an alias (`*e`) cannot be a mapping key; write the key out",
        ])
    }

    @Test(arguments: [
        ("a: &k name\n*k : x\n", "2:1: error: an alias (`*k`) cannot be a mapping key; write the key out"),
        ("&k name: x\n", "1:1: error: an anchor (`&k`) cannot be set on a mapping key; anchor the value instead"),
        ("? [a, b]\n: x\n", "1:3: error: a mapping key must be a plain string, not a list"),
        ("{a: 1}: x\n", "1:1: error: a mapping key must be a plain string, not a mapping"),
        ("a: *nope\n", "1:4: error: the alias `*nope` refers to no anchor `&nope` completed before it in this document; define the anchor first"),
        ("a: &x [1, *x]\n", "1:11: error: the alias `*x` refers to no anchor `&x` completed before it in this document; define the anchor first"),
    ])
    func keysMustBePlainStringsAndAliasesMustResolve(yaml: String, expected: String) async throws {
        let set = try await Self.load("keys.yaml", yaml)
        #expect(set.diagnostics.map(\.description) == ["keys.yaml:" + expected])
    }

    @Test func aliasesOfSmallValuesStillWork() async throws {
        let set = try await Self.load("iris.yaml", """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris, labels: &labels {team: risk}}
            spec:
              command: &cmd ["python3", "server.py", "--port", "{{port}}"]
            ---
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris-canary, labels: {team: risk}}
            spec:
              command: ["python3", "server.py", "--port", "{{port}}"]
              env: {A: &a "1", B: *a}
            """)
        #expect(set.isValid, "\(set.diagnostics)")
        #expect(set.deployments.last?.env == ["A": "1", "B": "1"])
    }

    @Test(arguments: [
        // At the 65th `[` itself: every event is checked as libyaml produces it.
        ("one line of [", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), 1, 65),
        ("a [ per line", String(repeating: "[\n", count: 10_000) + String(repeating: "]\n", count: 10_000), 65, 1),
        ("flow mappings", String(repeating: "{a: ", count: 10_000) + "1" + String(repeating: "}", count: 10_000), 1, 257),
        ("block lists", String(repeating: "- ", count: 10_000) + "x", 1, 129),
    ])
    func tenThousandDeepNestingIsRejectedWithoutExhaustingTheStack(shape: String, yaml: String, line: Int, column: Int) async throws {
        let set = try await Self.load("deep.yaml", yaml + "\n")
        let diagnostic = try #require(set.diagnostics.first, "\(shape)")
        #expect(set.diagnostics.count == 1, "\(shape): \(set.diagnostics)")
        #expect(diagnostic.message == "lists and mappings are nested more than 64 deep here (the limit); flatten the document", "\(shape)")
        #expect((diagnostic.position.line, diagnostic.position.column) == (line, column), "\(shape)")
    }

    /// 50 MB of innocent-looking YAML (short keys, one per line).
    static func fiftyMegabytes() -> Data {
        var text = ""
        text.reserveCapacity(50 << 20)
        var index = 0
        while text.utf8.count < 50 << 20 {
            text += "key\(index): value number \(index) of fifty megabytes\n"
            index += 1
        }
        return Data(text.utf8)
    }

    @Test func aFiftyMegabyteFileIsRejectedWhereItCrossesTheSizeLimit() async throws {
        let data = try await offPool { Self.fiftyMegabytes() }
        let set = try await Self.load([ManifestFile(path: "big.yaml", contents: data)])
        let expectedLine = try await offPool { data.prefix(4 << 20).filter { $0 == UInt8(ascii: "\n") }.count + 1 }
        #expect(set.diagnostics.count == 1)
        let diagnostic = try #require(set.diagnostics.first)
        #expect(diagnostic.position.line == expectedLine)
        #expect(diagnostic.message == "the file is \(data.count) bytes, over the limit of 4194304 bytes for one manifest file (crossed here); split it into smaller files")
    }

    @Test func aFiftyMegabyteFileOnDiskIsNotReadWhole() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let manifests = dir.appending("manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        let big = manifests.appendingPathComponent("big.yaml")
        try await offPool { try Self.fiftyMegabytes().write(to: big) }
        let before = peakResidentBytes()
        let files = try ManifestFile.load(directory: manifests)
        #expect(peakResidentBytes() - before < 40 << 20, "reading the directory loaded more than the 4 MiB prefix")
        #expect(files.map(\.contents.count) == [(4 << 20) + 1])
        let set = try await Self.load(files)
        let prefix = files[0].contents.prefix(4 << 20)
        let expectedLine = try await offPool { prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1 }
        #expect(set.diagnostics.count == 1)
        #expect(set.diagnostics.first?.position.line == expectedLine)
        #expect(set.diagnostics.first?.message.hasPrefix("the file is \(files[0].byteCount) bytes, over the limit of 4194304 bytes") == true)
        #expect(files[0].byteCount >= 50 << 20)
    }

    static func twoMillionKeys() -> Data {
        var text = ""
        text.reserveCapacity(24 << 20)
        for index in 0..<2_000_000 { text += "k\(index): 1\n" }
        return Data(text.utf8)
    }

    @Test func twoMillionKeysAreRejected() async throws {
        let data = try await offPool { Self.twoMillionKeys() }
        let file = ManifestFile(path: "keys.yaml", contents: data)
        let bySize = try await Self.load([file])
        #expect(bySize.diagnostics.map(\.message).first?.hasPrefix("the file is \(data.count) bytes, over the limit") == true)

        // With the size limit out of the way, the node limit stops it after 50,000 keys:
        // the root mapping, then a key and a value per line, passes 100,000 nodes at the
        // value on line 50,000.
        let byNodes = try await Self.load([file], limits: ManifestLimits(maxFileBytes: 64 << 20))
        #expect(byNodes.diagnostics.map(\.description) == [
            "keys.yaml:50000:9: error: this document has more than 100000 nodes (the limit per document); split it into smaller documents or files",
        ])
    }

    @Test func theNodeLimitPerFileCountsEveryDocument() async throws {
        let document = "---\nx: [" + Array(repeating: "a", count: 30_000).joined(separator: ", ") + "]\n"
        let set = try await Self.load("many.yaml", String(repeating: document, count: 10))
        // 30,003 nodes a document: the ninth document passes 250,000.
        let diagnostic = try #require(set.diagnostics.first)
        #expect(set.diagnostics.count == 1)
        #expect(diagnostic.position.line == 18)
        #expect(diagnostic.message == "the file has more than 250000 nodes (the limit per file); split it into smaller documents or files")
    }

    @Test func tooManyDocumentsAreRejectedAtTheFirstOneOverTheLimit() async throws {
        let set = try await Self.load("docs.yaml", String(repeating: "---\na: 1\n", count: 1_500))
        #expect(set.diagnostics.map(\.description) == [
            "docs.yaml:2001:1: error: the file has more than 1000 YAML documents (the limit); split it into several files",
        ])
    }

    @Test func theTotalSizeLimitStopsReadingFurtherFiles() async throws {
        let limits = ManifestLimits(maxFileBytes: 1 << 20, maxTotalBytes: 2 << 20)
        let chunk = Data(String(repeating: "# a comment line of padding\n", count: (900 << 10) / 28).utf8)
        let files = ["a.yaml", "b.yaml", "c.yaml"].map { ManifestFile(path: $0, contents: chunk) }
        let set = try await Self.load(files, limits: limits)
        #expect(set.diagnostics.count == 1)
        #expect(set.diagnostics.first?.position.file == "c.yaml")
        #expect(set.diagnostics.first?.message.hasPrefix("the manifests pass 2097152 bytes in all (the limit) in this file") == true)
    }

    static let badBytes: [(Data, String)] = {
        let nonUTF8: Data = Data("apiVersion: v1\nkind: ModelDeployment\nmetadata: {name: caf\u{e9}-".utf8) + Data([0xff, 0xfe]) + Data("}\n".utf8)
        let nul: Data = Data("a: 1\nb: x".utf8) + Data([0x00]) + Data("y\n".utf8)
        let bell: Data = Data("a: 1\r\nb: \u{e9}\u{e9}".utf8) + Data([0x07]) + Data("\n".utf8)
        return [
            (nonUTF8, "3:23: error: the file is not valid UTF-8 here (byte 0xFF); save it as UTF-8"),
            (nul, "2:5: error: the control character U+0000 is not allowed in YAML; remove it (or write it as an escape in a double-quoted string)"),
            (bell, "2:6: error: the control character U+0007 is not allowed in YAML; remove it (or write it as an escape in a double-quoted string)"),
            (Data([0xc3]), "1:1: error: the file is not valid UTF-8 here (byte 0xC3); save it as UTF-8"),
        ]
    }()

    @Test(arguments: badBytes)
    func badBytesAreReportedWhereTheyAre(bytes: Data, expected: String) async throws {
        let set = try await Self.load([ManifestFile(path: "bytes.yaml", contents: bytes)])
        #expect(set.diagnostics.map(\.description) == ["bytes.yaml:" + expected])
    }

    @Test func anUnclosedFlowListNamesWhereItOpenedAndWhereTheParserNoticed() async throws {
        let set = try await Self.load("flow.yaml", """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              command: [python3, server.py,
                "--port", "{{port}}"
              replicas: 2
            """)
        #expect(set.diagnostics.map(\.description) == [
            "flow.yaml:7:3: error: YAML syntax error: did not find expected ',' or ']'; the list opened with `[` at flow.yaml:5:12 is not closed before here",
        ])
    }
}
