import Foundation
@testable import MooringManifests
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
