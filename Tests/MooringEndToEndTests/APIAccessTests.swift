import Foundation
import MooringTesting
import Testing

/// Off the loopback address the API needs a bearer token: the controller refuses to
/// start without one, and every endpoint but health, readiness, metrics and the webhooks
/// answers 401 without the right one.
@Suite(.timeLimit(.minutes(5)))
struct APIAccessTests {
    @Test func offLoopbackEveryEndpointButTheOpenOnesNeedsTheToken() async throws {
        try await ControllerHarness.with(name: "api-token") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")

            // No token file: refused before anything starts.
            let refused = try h.startController(arguments: ["--listen", "127.0.0.2:0"])
            let status = await refused.waitForExit(timeout: .seconds(30))
            #expect(status == .exited(64), "\(refused.stderr)")
            #expect(refused.stderr.contains("--api-token-file"))
            #expect(h.modelProcesses().isEmpty)

            let token = "t0ken-\(UInt64.random(in: 0...UInt64.max))"
            let tokenFile = h.directory.appending("api-token")
            try Data((token + "\n").utf8).write(to: tokenFile)
            try h.startController(arguments: ["--listen", "127.0.0.2:0", "--api-token-file", tokenFile.path])
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let url = try await h.apiURL()
            #expect(url.hasPrefix("http://127.0.0.2:"))

            for path in ["/healthz", "/readyz", "/metrics"] {
                #expect(try await h.api("GET", path).status == 200, "\(path)")
            }
            // Webhooks carry their own secret (off here: 404, not 401).
            #expect(try await h.api("POST", "/api/v1/webhooks/github", body: Data("{}".utf8)).status == 404)

            for (method, path) in [("GET", "/api/v1/status"), ("GET", "/api/v1/deployments/iris"),
                                   ("GET", "/api/v1/deployments/iris/history"), ("GET", "/api/v1/events"),
                                   ("POST", "/api/v1/sync"), ("POST", "/api/v1/deployments/iris/suspend"),
                                   ("GET", "/"), ("GET", "/deployments/iris"), ("POST", "/api/v1/down")] {
                let none = try await h.api(method, path)
                #expect(none.status == 401, "\(method) \(path): \(none.text)")
                #expect(none.text.contains("Authorization: Bearer"))
                let wrong = try await h.api(method, path, headers: ["Authorization": "Bearer \(token)x"])
                #expect(wrong.status == 401, "\(method) \(path)")
                let almost = try await h.api(method, path, headers: ["Authorization": "Bearer \(token.dropLast())"])
                #expect(almost.status == 401, "\(method) \(path)")
            }
            let right = try await h.api("GET", "/api/v1/status", headers: ["Authorization": "Bearer \(token)"])
            #expect(right.status == 200)
            #expect((try right.jsonObject()["deployments"] as? [Any])?.count == 1)
            let page = try await h.api("GET", "/", headers: ["Authorization": "Bearer \(token)"])
            #expect(page.status == 200)
            #expect(page.text.contains("id=\"deployment-iris\""))
            #expect(!h.controllerLog.contains(token), "the controller logged the token")
        }
    }
}
