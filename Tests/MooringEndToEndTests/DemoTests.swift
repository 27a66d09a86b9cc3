import Foundation
import MooringTesting
import Testing

/// `make demo` runs to the end on this machine and shows what it promises: v1 through the
/// stable endpoint, v2 after the merge, v1 after the revert, zero failed requests in
/// between, an automatic rollback with its reason, and nothing left behind.
@Suite(.timeLimit(.minutes(6)))
struct DemoTests {
    @Test func theDemoRunsToTheEndAndKeepsItsPromises() async throws {
        let result = try await offPool {
            try runCommand("/bin/bash", [MooringBinary.packageRoot.appendingPathComponent("scripts/demo.sh").path],
                           environment: ["MOORING": MooringBinary.path])
        }
        let out = result.stdout
        #expect(result.status == 0, "\(result.output)")
        #expect(out.contains("version 1: class setosa"), "\(out)")
        #expect(out.contains("version 2: class setosa"), "\(out)")
        #expect(out.range(of: #"\d+ requests, 0 failed; answered by v1: \d+, v2: \d+"#, options: .regularExpression) != nil, "\(out)")
        // `status --wait` says why on stderr; the table on stdout has the same reason.
        #expect(result.output.contains("iris is Degraded: ") && out.contains("not healthy within progressDeadlineSeconds"), "\(result.output)")
        #expect(out.contains("Quarantined"), "\(out)")
        #expect(out.contains("demo: done"), "\(out)")
        // It removed what it made: no model process of the demo is left.
        let leftovers = try runCommand("/usr/bin/pgrep", ["-f", "mooring-demo\\."])
        #expect(leftovers.stdout.isEmpty, "left running: \(leftovers.stdout)")
    }
}
