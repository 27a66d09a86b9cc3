import Foundation
import MooringTesting
import Testing

/// With many deployments in the repository, a poll that finds the manifests unchanged
/// costs one tree lookup: no parsing, no planning.
@Suite(.timeLimit(.minutes(5)))
struct UnchangedPollTests {
    @Test func unchangedPollDoesNoParsingAndNoPlanning() async throws {
        try await ControllerHarness.with(name: "unchanged") { h in
        // 100 deployments with no replicas (no processes), 25 to a file.
        let names = (0..<100).map { String(format: "model-%03d", $0) }
        for file in 0..<4 {
            let documents = names[(file * 25)..<(file * 25 + 25)].map {
                ControllerHarness.deployment($0, version: 1, replicas: 0)
            }
            try h.repo.write("manifests/models-\(file).yaml", documents.joined(separator: "\n---\n"))
        }
        let first = try h.repo.commitAll("100 deployments")
        try h.startController(interval: "500ms")

        #expect(try await h.waitForStatus { status in
            let rows = status["deployments"] as? [[String: Any]] ?? []
            return rows.count == 100 && rows.allSatisfy {
                $0["sync"] as? String == "Synced" && $0["appliedRevision"] as? String == first
            }
        }, "\(h.controllerLog)")
        #expect(h.modelProcesses().isEmpty)

        // Let several polls pass.
        let skipped = "manifests unchanged at \(first.prefix(7))"
        #expect(await waitUntil(timeout: .seconds(60)) {
            h.controllerLog.components(separatedBy: "\n").filter { $0.contains(skipped) && $0.contains("skipped parse and plan") }.count >= 6
        }, "\(h.controllerLog)")

        let lines = h.controllerLog.components(separatedBy: "\n")
        let parsed = lines.filter { $0.contains("parsed ") && $0.contains("manifest files") }
        let planned = lines.filter { $0.contains("planned ") && $0.contains(" steps at ") }
        #expect(parsed.count == 1, "\(parsed)")
        #expect(parsed.first?.contains("100 deployments") == true, "\(parsed)")
        #expect(parsed.first?.contains(String(first.prefix(7))) == true, "\(parsed)")
        #expect(planned.count == 1, "\(planned)")
        let parsedAt = try #require(lines.firstIndex { $0.contains("parsed ") && $0.contains("manifest files") })
        let skips = lines.indices.filter { lines[$0].contains("skipped parse and plan") }
        #expect(skips.count >= 6)
        #expect(skips.allSatisfy { $0 > parsedAt })

        // A commit that does not touch the manifests: the desired revision moves, still no parse.
        try h.repo.write("README.md", "models live here\n")
        let docs = try await h.commit("docs: a README")
        #expect(try await h.waitForStatus { status in
            let rows = status["deployments"] as? [[String: Any]] ?? []
            return rows.count == 100 && rows.allSatisfy { $0["desiredRevision"] as? String == docs && $0["sync"] as? String == "Synced" }
        }, "\(h.controllerLog)")
        let after = h.controllerLog.components(separatedBy: "\n")
        #expect(after.filter { $0.contains("parsed ") && $0.contains("manifest files") }.count == 1)
        #expect(after.filter { $0.contains("planned ") && $0.contains(" steps at ") }.count == 1)
        #expect(after.contains { $0.contains("manifests unchanged at \(docs.prefix(7))") })
        #expect(try await h.events(nil, reason: "RolloutStarted").count == 100)
        }
    }
}
