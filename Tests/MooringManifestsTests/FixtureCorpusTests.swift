import Foundation
import MooringManifests
import Testing

/// The corpus of invalid manifests under `Fixtures/invalid`. Each file states the
/// diagnostics it must produce in header lines of the form
/// `# expect: LINE:COLUMN FIELD | message fragment`.
struct FixtureCorpusTests {
    struct Expectation: CustomStringConvertible {
        var line: Int
        var column: Int
        var field: String
        var message: String
        var description: String { "\(line):\(column) \(field) | \(message)" }
    }

    static let fixtures: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        }
        return url
    }()

    static let invalidFiles: [String] = {
        let dir = fixtures.appendingPathComponent("invalid")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    static func expectations(in text: String) -> [Expectation] {
        text.split(separator: "\n").compactMap { line -> Expectation? in
            guard line.hasPrefix("# expect: ") else { return nil }
            let body = line.dropFirst("# expect: ".count)
            let halves = body.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard halves.count == 2 else { return nil }
            let head = halves[0].split(separator: " ", maxSplits: 1).map(String.init)
            let position = head[0].split(separator: ":").compactMap { Int($0) }
            guard position.count == 2 else { return nil }
            return Expectation(line: position[0], column: position[1],
                               field: head.count > 1 ? head[1] : "", message: halves[1])
        }
    }

    @Test func corpusHasOneFileForEachClassOfMistake() {
        #expect(Self.invalidFiles.count >= 25)
    }

    @Test(arguments: invalidFiles)
    func invalidManifestIsRejectedWithItsDiagnostic(name: String) throws {
        let url = Self.fixtures.appendingPathComponent("invalid").appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        let expectations = Self.expectations(in: String(decoding: data, as: UTF8.self))
        try #require(!expectations.isEmpty, "fixture \(name) states no `# expect:` line")

        let set = ManifestSet.load(
            files: [ManifestFile(path: "invalid/\(name)", contents: data)],
            repository: FileSystemRepository(root: Self.fixtures))

        #expect(!set.isValid, "\(name) was accepted")
        for expected in expectations {
            let match = set.diagnostics.first {
                $0.position.line == expected.line && $0.position.column == expected.column
                    && $0.field == expected.field && $0.message.contains(expected.message)
                    && $0.position.file == "invalid/\(name)"
            }
            #expect(match != nil, """
                \(name): expected \(expected)
                got:
                \(set.diagnostics.map(\.description).joined(separator: "\n"))
                """)
        }
    }

    @Test func everyCorpusFileTogetherStillReportsEveryProblem() throws {
        // Validation finds every problem at once: all files in one revision report all
        // their diagnostics, not just the first.
        var files: [ManifestFile] = []
        var expected = 0
        for name in Self.invalidFiles {
            let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("invalid/\(name)"))
            expected += Self.expectations(in: String(decoding: data, as: UTF8.self)).count
            files.append(ManifestFile(path: "invalid/\(name)", contents: data))
        }
        let set = ManifestSet.load(files: files, repository: FileSystemRepository(root: Self.fixtures))
        #expect(set.diagnostics.filter { $0.severity == .error }.count >= expected)
        #expect(Set(set.diagnostics.map(\.position.file)).count == Self.invalidFiles.count)
    }
}
