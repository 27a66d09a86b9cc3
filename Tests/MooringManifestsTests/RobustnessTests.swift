import Foundation
import MooringManifests
import Testing

/// No input crashes the decoder: every corpus file, cut short at every byte boundary of
/// every line and with bytes flipped, still yields diagnostics instead of a crash.
struct RobustnessTests {
    @Test(arguments: FixtureCorpusTests.invalidFiles)
    func truncatedAndMangledInputNeverCrashes(name: String) throws {
        let data = try Data(contentsOf: FixtureCorpusTests.fixtures.appendingPathComponent("invalid/\(name)"))
        let bytes = [UInt8](data)
        var cuts = Set<Int>()
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") || byte == UInt8(ascii: ":") {
            cuts.insert(index)
            cuts.insert(index + 1)
        }
        for cut in cuts.sorted() where cut <= bytes.count {
            let set = ManifestSet.load(files: [ManifestFile(path: name, contents: Data(bytes[..<cut]))])
            for diagnostic in set.diagnostics {
                #expect(diagnostic.position.line >= 1 && diagnostic.position.column >= 1)
            }
        }
        // Replace each structural character in turn with characters YAML treats specially.
        for (index, byte) in bytes.enumerated() where [":", "-", "[", "{", "\""].contains(Character(UnicodeScalar(byte))) {
            for replacement in ["}", "&", "*", "\t", "\0"] {
                var mangled = bytes
                mangled[index] = UInt8(ascii: replacement.unicodeScalars.first ?? "x")
                _ = ManifestSet.load(files: [ManifestFile(path: name, contents: Data(mangled))])
            }
        }
    }

    @Test func invalidUTF8IsReportedNotCrashed() {
        let set = ManifestSet.load(files: [ManifestFile(path: "bad.yaml", contents: Data([0xff, 0xfe, 0x00, 0x41]))])
        #expect(set.diagnostics.map(\.description) == ["bad.yaml:1:1: error: the file is not valid UTF-8 here (byte 0xFF); save it as UTF-8"])
    }

    @Test func aliasesAnchorsAndOddDocumentsDoNotCrash() {
        let inputs = [
            "--- &a [*a]",
            "a: &x {b: *x}",
            "- 1\n- 2",
            "just a string",
            "42",
            "? [complex, key]\n: value",
            "apiVersion: mooring.dev/v1alpha1\nkind: ModelDeployment\nmetadata: {name: x}\nspec: {command: [[nested]]}",
            "apiVersion: mooring.dev/v1alpha1\nkind: ModelDeployment\nmetadata: {name: x, labels: [a]}\nspec: {env: {A: [1]}}",
            String(repeating: "[", count: 2000),
        ]
        for input in inputs {
            let set = ManifestSet.load(files: [ManifestFile(path: "odd.yaml", contents: Data(input.utf8))])
            #expect(!set.isValid || set.deployments.isEmpty, "\(input)")
        }
    }
}

@Suite struct OversizedIntegerTests {
    @Test func anIntegerTooLargeForSixtyFourBitsSaysSoAtItsPosition() {
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              command: ["x"]
              replicas: 99999999999999999999
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "manifests/iris.yaml", contents: Data(yaml.utf8))])
        let messages = set.diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("manifests/iris.yaml:6:13: error: spec.replicas: 99999999999999999999 is too large; use a value from 0 to ") }, "\(messages)")
        #expect(!messages.contains { $0.contains("got an integer") })
    }
}
