import Foundation
import MooringTesting
import Testing

/// `mooring sync --retry` lifts a quarantine; `mooring logs` shows what a model printed.
@Suite(.timeLimit(.minutes(5)))
struct RetryAndLogsTests {
    @Test func aQuarantinedSpecIsRetriedOnlyWhenAsked() async throws {
        try await ControllerHarness.with(name: "retry") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            // v2 is ready only once the host is fixed (a flag file stands in for, say, a free GPU).
            let fixed = h.directory.appending("host-fixed").path
            let server = "{{revision.dir}}/examples/servers/kserve_v2_server.py --model {{model.path}} --port {{port}} --name {{name}}"
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment(
                "iris", version: 2, progressDeadlineSeconds: 4,
                extra: "  command: [\"sh\", \"-c\", \"if [ -e \(fixed) ]; then exec python3 \(server); else exec python3 \(server) --ready-delay 3600; fi\"]"))
            let second = try await h.commit("iris v2")
            #expect(try await h.waitForStatus { _ in
                let row = try await h.deployment("iris")
                return row?["health"] as? String == "Degraded" && row?["desiredRevision"] as? String == second
            }, "\(h.controllerLog)")
            let failedRollouts = try await h.events("iris", reason: "RolloutStarted").count

            // Polls do not retry it.
            _ = try await h.mooring(["sync"])
            _ = try await h.mooring(["sync"])
            try await Task.sleep(for: .seconds(2))
            #expect(try await h.events("iris", reason: "RolloutStarted").count == failedRollouts)
            #expect(try await h.servedVersion("iris") == "1")

            // The operator fixes the host and asks for a retry: the same spec rolls out.
            #expect(FileManager.default.createFile(atPath: fixed, contents: Data()))
            let retry = try await h.mooring(["sync", "--retry", "iris"])
            #expect(retry.status == 0, "\(retry.output)")
            #expect(retry.stdout.contains("lifted the quarantine of iris's spec"))
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
            #expect(try await h.events("iris", reason: "RolloutStarted").count == failedRollouts + 1)
            #expect(try await !h.events("iris", reason: "RetryRequested").isEmpty)

            let again = try await h.mooring(["sync", "--retry", "iris"])
            #expect(again.stdout.contains("iris has no quarantined spec; nothing to retry"))
            let unknown = try await h.mooring(["sync", "--retry", "nope"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("no deployment named nope"))
        }
    }

    @Test func logsShowWhatTheModelServerPrinted() async throws {
        try await ControllerHarness.with(name: "logs") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1, replicas: 2))
            let first = try h.repo.commitAll("deploy iris v1 x2")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            _ = try await h.servedVersion("iris")

            let logs = try await h.mooring(["logs", "iris"])
            #expect(logs.status == 0, "\(logs.output)")
            // Two replicas: each line says which one; the probes and our request are there.
            #expect(logs.stdout.contains("[0] "))
            #expect(logs.stdout.contains("[1] "))
            #expect(logs.stdout.contains("/v2/health/ready"), "\(logs.stdout)")
            let one = try await h.mooring(["logs", "iris", "--replica", "1", "--tail", "3"])
            #expect(one.status == 0)
            #expect(!one.stdout.contains("[1] "))
            #expect(one.stdout.split(separator: "\n").count <= 3)

            let missing = try await h.mooring(["logs", "nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("no logs for nope"))
        }
    }
}
