import Foundation
@testable import MooringManifests
import MooringTesting
import Testing

struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesNISTVectors(input: String, digest: String) {
        #expect(SHA256Digest.hex(Data(input.utf8)) == digest)
    }

    @Test func millionAs() {
        #expect(SHA256Digest.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A file spanning several read chunks, with a ragged end, hashes as `sha256sum` says.
    @Test func fileDigestAgreesWithSha256sum() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.appending("model.bin")
        let bytes = (0..<(SHA256Digest.fileChunkSize * 2 + 12_345)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try Data(bytes).write(to: file)
        let expected = try runCommand("/usr/bin/sha256sum", [file.path]).stdout.split(separator: " ").first.map(String.init)
        #expect(try SHA256Digest.hex(ofFileAt: file) == expected)
        #expect(SHA256Digest.hex(Data(bytes)) == expected)
    }

    /// A model far larger than the read chunk is hashed in constant memory: the process's
    /// peak resident size grows by much less than the file.
    @Test func fileDigestStreamsInsteadOfLoadingTheFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.appending("weights.bin")
        let size: UInt64 = 400 << 20
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: size) // sparse: reads as zeros, costs no disk
        try handle.close()
        let before = peakResidentBytes()
        let digest = try await offPool { try SHA256Digest.hex(ofFileAt: file) }
        let growth = peakResidentBytes() - before
        #expect(digest.count == 64)
        #expect(growth < 200 << 20, "peak RSS grew by \(growth >> 20) MiB hashing a \(size >> 20) MiB file")
    }

    @Test func unreadableFileIsAnErrorNamingIt() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/mooring/model.bin")
        let error = #expect(throws: FileDigestError.self) { try SHA256Digest.hex(ofFileAt: missing) }
        #expect(error?.description.hasPrefix("cannot open `/nonexistent/mooring/model.bin` to hash it: ") == true)
    }
}

struct TemplateTests {
    @Test func rendersKnownVariablesAndKeepsText() {
        let values: [TemplateVariable: String] = [.port: "20001", .modelPath: "/s/r/abc/models/iris.json", .name: "iris"]
        #expect(renderTemplate("--port={{port}}", values: values) == "--port=20001")
        #expect(renderTemplate("{{ model.path }}", values: values) == "/s/r/abc/models/iris.json")
        #expect(renderTemplate("{{name}}-{{port}}", values: values) == "iris-20001")
        #expect(renderTemplate("plain", values: values) == "plain")
        #expect(renderTemplate("{{revision}}", values: values) == "{{revision}}") // no value given: left as is
    }

    @Test func findsUnclosedReferences() {
        #expect(templateReferences(in: "a {{port") == [TemplateReference(name: "port", offset: 2, closed: false)])
    }
}

struct SuggestionTests {
    @Test(arguments: [
        ("replica", "replicas"), ("htpp", "http"), ("stratgy", "strategy"), ("gracePeriod", "gracePeriodSeconds"),
    ])
    func suggestsTheIntendedField(typo: String, intended: String) {
        #expect(closestMatch(to: typo, in: DocumentDecoder.deploymentSpecKeys + DocumentDecoder.healthKeys
            + DocumentDecoder.rolloutKeys + DocumentDecoder.stopKeys) == intended)
    }

    @Test func suggestsNothingForUnrelatedWords() {
        #expect(closestMatch(to: "banana", in: DocumentDecoder.deploymentSpecKeys) == nil)
    }
}
