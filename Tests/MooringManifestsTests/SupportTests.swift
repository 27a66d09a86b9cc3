import Foundation
@testable import MooringManifests
import MooringTesting
import Testing

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
