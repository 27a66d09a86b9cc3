import Foundation
import MooringManifests
import MooringModelChecks
import MooringTesting
import Testing

/// `spec.tests` in a manifest: decoded with positions, files read at the revision, every
/// mistake reported where it is written.
@Suite("spec.tests decoding")
struct SpecTestsDecodingTests {
    static func manifest(_ tests: String) -> String {
        """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          command: ["server", "--port", "{{port}}"]
          tests:
        \(tests)
        """
    }

    static func load(_ tests: String, files: [String: String] = [:]) throws -> ManifestSet {
        let directory = try TemporaryDirectory(prefix: "mooring-spec-tests")
        defer { directory.remove() }
        for (path, contents) in files {
            let url = directory.appending(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        let file = ManifestFile(path: "manifests/iris.yaml", contents: Data(manifest(tests).utf8))
        return ManifestSet.load(files: [file], repository: FileSystemRepository(root: directory.url))
    }

    @Test func everyFieldIsDecodedAndFilesAreRead() throws {
        let set = try Self.load("""
                - name: iris-setosa
                  path: /v2/models/{{name}}/infer
                  headers: {X-Trace: "{{name}}"}
                  body: {inputs: [{shape: [1, 4], data: [[5.1, 3.5, 1.4, 0.2]]}]}
                  expect:
                    status: 200
                    json:
                      - {path: "$.outputs[0].data[0]", equals: setosa}
                      - {path: "$.outputs[1].data", approx: {value: [1, 0, 0], absolute: 0.2, relative: 0.1}}
                      - {path: "$.model_name", matches: "^iris$"}
                      - {path: "$.model_version", oneOf: ["1", "2"]}
                  repeat: 3
                  percentile: p50
                  maxLatencyMillis: 500
                - name: from-file
                  method: put
                  path: /echo
                  bodyFile: golden/body.json
                - name: rows
                  path: /infer
                  batch: {file: golden/rows.json, path: "$.c", minAccuracy: 0.5}
                - name: health
                  path: /v2/health/ready
            """, files: ["golden/body.json": #"{"x": 1}"#, "golden/rows.json": #"[{"body": {"x": 1}, "expected": 0}, {"body": "raw", "expected": "a"}]"#])
        #expect(set.isValid, "\(set.diagnostics)")
        let checks = try #require(set.deployments.first?.tests)
        #expect(checks.map(\.name) == ["iris-setosa", "from-file", "rows", "health"])
        #expect(checks.map(\.method) == ["POST", "PUT", "POST", "GET"])
        let setosa = checks[0]
        #expect(setosa.body == #"{"inputs":[{"data":[[5.1,3.5,1.4,0.2]],"shape":[1,4]}]}"#)
        #expect(setosa.headers == ["X-Trace": "{{name}}"])
        #expect(setosa.assertions.map(\.path.text) == ["$.outputs[0].data[0]", "$.outputs[1].data", "$.model_name", "$.model_version"])
        #expect(setosa.assertions[1].kind == .approx(.array([.number(1), .number(0), .number(0)]), absolute: 0.2, relative: 0.1))
        #expect(setosa.assertions[3].kind == .oneOf([.string("1"), .string("2")]))
        #expect(setosa.repeatCount == 3 && setosa.latencyStatistic == .p50 && setosa.maxLatencyMillis == 500)
        #expect(checks[1].body == #"{"x": 1}"#)
        #expect(checks[1].bodyFile == "golden/body.json")
        let batch = try #require(checks[2].batch)
        #expect(batch.cases == [.init(body: #"{"x":1}"#, expected: .number(0)), .init(body: "raw", expected: .string("a"))])
        #expect(batch.minAccuracy == 0.5)
    }

    @Test("mistakes are reported where they are written", arguments: [
        ("    - {path: /x}", "spec.tests[0].name: missing required field `name`"),
        ("    - {name: a, path: x}", "spec.tests[0].path: `x` must start with `/`"),
        ("    - {name: a, path: /x}\n    - {name: a, path: /y}", "spec.tests[1].name: a check named `a` is already defined at line 7"),
        ("    - {name: a, path: /x, method: FETCH}", "spec.tests[0].method: `FETCH` is not a method"),
        ("    - {name: a, path: /x, percentile: p99}", "spec.tests[0].percentile: `p99` is not a valid value"),
        ("    - {name: a, path: /x, repeat: 0}", "spec.tests[0].repeat: 0 is out of range"),
        ("    - {name: a, path: /x, body: '{}', bodyFile: b.json}", "spec.tests[0].bodyFile: give `body` or `bodyFile`, not both"),
        ("    - {name: a, path: /x, bodyFile: ../b.json}", "spec.tests[0].bodyFile: `../b.json` must be a path inside the repository"),
        ("    - {name: a, path: /x, bodyFile: missing.json}", "spec.tests[0].bodyFile: `missing.json` does not exist in the repository"),
        ("    - {name: a, path: /x, bodyFile: missing.json}\n    - {name: b, path: /x, bodyFile: gone.json}",
         "spec.tests[1].bodyFile: `gone.json` does not exist in the repository"),
        ("    - {name: a, path: /x, expect: {json: [{path: x, equals: 1}]}}", "spec.tests[0].expect.json[0].path: `x` must start with `$`"),
        ("    - {name: a, path: /x, expect: {json: [{path: $.a, equals: 1, oneOf: [1]}]}}", "give one of equals, oneOf, not 2"),
        ("    - {name: a, path: /x, expect: {json: [{path: $.a, matches: '('}]}}", "spec.tests[0].expect.json[0].matches: `(` is not a valid regular expression"),
        ("    - {name: a, path: /x, expect: {json: [{path: $.a, approx: {value: x}}]}}", "spec.tests[0].expect.json[0].approx.value: expected a number or a list of numbers"),
        ("    - {name: a, path: /x, expect: {json: [{path: $.a, equals: 1, typo: 2}]}}", "unknown field `typo`"),
        ("    - {name: a, path: /x, batch: {file: rows.json, path: $.c}}", "spec.tests[0].batch.file: `rows.json` is not a non-empty list"),
    ])
    func mistakes(tests: String, fragment: String) throws {
        let set = try Self.load(tests, files: ["rows.json": "{}"])
        #expect(!set.isValid)
        let messages = set.diagnostics.map(\.description)
        #expect(messages.contains { $0.contains(fragment) }, "\(messages)")
        #expect(messages.allSatisfy { $0.hasPrefix("manifests/iris.yaml:") }, "every problem has a position: \(messages)")
    }

    @Test func testsDoNotChangeWhatAReplicaRunsButDoChangeTheSpec() throws {
        let without = try #require(try Self.load("    []").deployments.first)
        let with = try #require(try Self.load("    - {name: a, path: /x}").deployments.first)
        #expect(without.tests == nil)
        #expect(with.specHash != without.specHash)
        #expect(with.templateHash == without.templateHash)
    }
}
