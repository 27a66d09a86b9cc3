import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MooringTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mooring test --ref feature --against main` on a fresh clone, no controller anywhere:
/// the changed deployment is started, its golden requests run, every process it started
/// is gone afterwards, and the exit status says whether the model answers right.
@Suite(.timeLimit(.minutes(5)))
struct ModelTestCommandTests {
    /// Golden requests for the iris example: one row per class, and a latency budget.
    static let tests = """
          tests:
        \(ModelTestGateTests.setosaCheck)
            - name: iris-virginica
              path: /v2/models/{{name}}/infer
              bodyFile: tests/virginica.json
              expect:
                status: 200
                json:
                  - {path: "$.outputs[0].data[0]", oneOf: [virginica]}
                  - {path: "$.model_name", matches: "^iris$"}
            - name: iris-latency
              path: /v2/models/{{name}}/infer
              bodyFile: tests/virginica.json
              repeat: 3
              maxLatencyMillis: 2000
        """

    @Test func testsTheChangedDeploymentAndStopsWhatItStarted() async throws {
        let harness = try ControllerHarness(name: "model-test-cli")
        defer { harness.directory.remove() }
        let origin = harness.repo
        try origin.write("tests/virginica.json", #"{"inputs": [{"name": "input-0", "datatype": "FP32", "shape": [1, 4], "data": [[6.9, 3.1, 5.4, 2.1]]}]}"#)
        try origin.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        try origin.write("manifests/other.yaml", ControllerHarness.deployment("other", version: 1, extra: Self.tests))
        _ = try origin.commitAll("iris v1, other")
        _ = try origin.git("checkout", "-q", "-b", "feature")
        try origin.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2, extra: Self.tests))
        _ = try origin.commitAll("iris v2 with golden requests")
        _ = try origin.git("checkout", "-q", "-b", "wrong")
        let wrong = ControllerHarness.deployment("iris", version: 2, extra: Self.tests).replacingOccurrences(
            of: "  runtime: python-kserve",
            with: """
              runtime: python-kserve
              command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py", "--model", "{{model.path}}",
                        "--port", "{{port}}", "--name", "{{name}}", "--wrong"]
            """)
        try origin.write("manifests/iris.yaml", wrong)
        _ = try origin.commitAll("iris v2 predicting the wrong class")
        _ = try origin.git("checkout", "-q", "main")
        let clone = harness.directory.appending("clone")
        _ = try GitFixture.git(["clone", "-q", origin.directory.path, clone.path], in: harness.directory.url)
        // `mooring test` makes its scratch state directory under TMPDIR: one of this test's own.
        let scratchParent = harness.directory.appending("tmp")
        try FileManager.default.createDirectory(at: scratchParent, withIntermediateDirectories: false)
        let environment = ["TMPDIR": scratchParent.path]
        defer { Self.killStarted(under: scratchParent) }
        let ports = "\(harness.portRange.lowerBound)-\(harness.portRange.upperBound)"
        let common = ["test", "--repo", clone.path, "--against", "main", "--port-range", ports]

        let good = try await MooringBinary.runAsync(common + ["--ref", "feature"], environment: environment, in: clone)
        #expect(good.status == 0, "\(good.output)")
        #expect(good.stdout.contains("iris        iris-setosa"), "\(good.stdout)")
        #expect(good.stdout.contains("3 of 3 checks passed"), "\(good.stdout)")
        // `other` did not change: not started, not tested.
        #expect(!good.stdout.contains("other"), "\(good.stdout)")
        #expect(Self.started(under: scratchParent).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratchParent.path).isEmpty)

        let bad = try await MooringBinary.runAsync(common + ["--ref", "wrong", "--format", "junit"], environment: environment, in: clone)
        #expect(bad.status == 1, "\(bad.output)")
        #expect(Self.started(under: scratchParent).isEmpty)
        let document = try XMLDocument(data: Data(bad.stdout.utf8))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "3")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        let failures = try root.nodes(forXPath: "//testcase/failure").compactMap { ($0 as? XMLElement)?.attribute(forName: "message")?.stringValue }
        #expect(failures.contains("$.outputs[0].data[0] expected \"setosa\", got \"versicolor\""), "\(failures)")
        #expect(failures.contains("$.outputs[0].data[0] expected one of [\"virginica\"], got \"setosa\""), "\(failures)")
    }

    /// Pids whose environment says a `mooring test` scratch directory under `parent` manages them.
    static func started(under parent: URL) -> [Int32] {
        let needle = Array("MOORING_MANAGED_BY=\(parent.standardizedFileURL.path)/mooring-test-".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return data.split(separator: 0).contains { Array($0.prefix(needle.count)) == needle }
        }
    }

    /// A failed test leaves nothing running.
    static func killStarted(under parent: URL) {
        for pid in started(under: parent) { kill(pid, SIGKILL) }
    }
}
