import Foundation
import MooringDigest
import MooringTesting
import Testing

/// `GET /metrics` is valid Prometheus exposition with the documented series
/// (docs/metrics.md), and they change as deployments roll out, fail and get rejected.
@Suite(.timeLimit(.minutes(5)))
struct MetricsTests {
    func scrape(_ h: ControllerHarness) async throws -> PrometheusExposition {
        let response = try await h.api("GET", "/metrics")
        #expect(response.status == 200)
        return try PrometheusExposition(response.text)
    }

    @Test func theSeriesArePresentAndFollowRollouts() async throws {
        try await ControllerHarness.with(name: "metrics") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            var metrics = try await scrape(h)
            #expect(metrics.value("mooring_deployment_info", ["deployment": "iris", "sync": "Synced", "health": "Healthy",
                                                               "revision": first, "model_version": "1"]) == 1)
            #expect(metrics.value("mooring_deployment_replicas", ["deployment": "iris", "state": "Ready"]) == 1)
            #expect(metrics.value("mooring_rollouts_total", ["deployment": "iris", "outcome": "Succeeded"]) == 1)
            #expect(metrics.value("mooring_rollout_duration_seconds_count", ["deployment": "iris", "outcome": "Succeeded"]) == 1)
            #expect((metrics.value("mooring_git_fetch_duration_seconds_count") ?? 0) >= 1)
            #expect((metrics.value("mooring_reconcile_duration_seconds_count") ?? 0) >= 1)
            #expect(metrics.types["mooring_reconcile_duration_seconds"] == "histogram")
            #expect(metrics.types["mooring_rollouts_total"] == "counter")
            let fetched = try #require(metrics.value("mooring_source_last_fetch_timestamp_seconds"))
            #expect(abs(fetched - Date().timeIntervalSince1970) < 3600)
            #expect(metrics.value("mooring_source_revision_rejected") == 0)

            // A new version: the counter moves, the info series is replaced (not duplicated).
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
            let second = try await h.commit("iris v2")
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            metrics = try await scrape(h)
            #expect(metrics.value("mooring_rollouts_total", ["deployment": "iris", "outcome": "Succeeded"]) == 2)
            #expect(metrics.values("mooring_deployment_info", ["deployment": "iris"]) == [1])
            #expect(metrics.value("mooring_deployment_info", ["deployment": "iris", "model_version": "2", "revision": second]) == 1)

            // A broken commit: the tip is rejected until Git is fixed.
            try h.repo.write("manifests/iris.yaml", "apiVersion: mooring.dev/v1alpha1\nkind: ModelDeployment\nmetadata: {name: iris}\nspec: {replica: 2}\n")
            _ = try await h.commit("break iris")
            #expect(try await waitUntil(timeout: .seconds(60), interval: .milliseconds(200)) {
                try await scrape(h).value("mooring_source_revision_rejected") == 1
            })
        }
    }

    @Test func aBurstOfWebhooksCoalesces() async throws {
        try await ControllerHarness.with(name: "metrics-burst") { h in
            let secret = "burst-secret"
            let secretFile = h.directory.appending("webhook-secret")
            try Data(secret.utf8).write(to: secretFile)
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController(interval: "1h", arguments: ["--webhook-secret-file", secretFile.path])
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let before = try #require(try await scrape(h).value("mooring_git_fetch_duration_seconds_count"))

            let body = Data(#"{"ref": "refs/heads/main"}"#.utf8)
            let signature = "sha256=" + Hex.string(HMACSHA256.code(for: Array(body), key: Array(secret.utf8)))
            let url = try await h.apiURL()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await httpRequest(url + "/api/v1/webhooks/generic", method: "POST", body: body,
                                              headers: ["X-Mooring-Signature": signature]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 202, count: 20))
            #expect(try await waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) {
                (try await scrape(h).value("mooring_git_fetch_duration_seconds_count") ?? 0) > before
            })
            // Let a second fetch (there should be none) show up.
            try await Task.sleep(for: .seconds(2))
            let after = try #require(try await scrape(h).value("mooring_git_fetch_duration_seconds_count"))
            #expect(after - before == 1, "20 webhooks made \(after - before) fetches")
        }
    }
}
