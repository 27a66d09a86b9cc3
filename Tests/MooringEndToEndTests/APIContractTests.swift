import Foundation
import MooringTesting
import Testing

/// The HTTP API of a running controller, held to `docs/openapi.json`: every documented
/// path and method answers with a documented status and the documented JSON, and the
/// answers mean what `mooring status`, `suspend` and `resume` mean.
@Suite(.timeLimit(.minutes(5)))
struct APIContractTests {
    @Test func everyDocumentedOperationAnswersAsDocumented() async throws {
        let contract = try OpenAPIContract()
        try await ControllerHarness.with(name: "api") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            // Suspend before resume, so both do something; every path with {name} is also
            // asked about a deployment that does not exist.
            let operations = contract.operations.sorted { order($0) < order($1) }
            #expect(operations.count >= 14)
            var seen: [String: Set<Int>] = [:]
            for operation in operations {
                for name in operation.path.contains("{name}") ? ["iris", "nope"] : ["iris"] {
                    let path = operation.path.replacingOccurrences(of: "{name}", with: name)
                    let response = try await h.api(operation.method, path)
                    let problems = contract.problems(operation, status: response.status, body: response.body)
                    #expect(problems.isEmpty, "\(operation) (\(name)): \(problems) \(response.text)")
                    seen[operation.description, default: []].insert(response.status)
                    if name == "nope" {
                        #expect(response.status == 404, "\(operation): \(response.text)")
                        #expect(response.text.contains("no deployment named nope"))
                    } else if operation.path.contains("/webhooks/") {
                        // No --webhook-secret-file here: off (WebhookTests signs them).
                        #expect(response.status == 404, "\(operation): \(response.text)")
                    } else {
                        #expect((200..<300).contains(response.status), "\(operation): \(response.text)")
                    }
                }
            }
            #expect(seen.count == operations.count)
        }
    }

    @Test func theAPIMeansWhatTheCommandsMean() async throws {
        try await ControllerHarness.with(name: "api-meaning") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

            #expect(try await h.api("GET", "/readyz").status == 200)
            #expect(try await h.api("GET", "/healthz").jsonObject()["status"] as? String == "ok")

            // The same deployments as `mooring status -o json`.
            let fromAPI = try await h.api("GET", "/api/v1/deployments/iris").jsonObject()["deployments"] as? [[String: Any]]
            let fromCLI = try await h.status()?["deployments"] as? [[String: Any]]
            #expect(fromAPI?.count == 1)
            #expect(fromAPI?.first?["appliedRevision"] as? String == first)
            #expect(fromAPI?.first?["appliedRevision"] as? String == fromCLI?.first?["appliedRevision"] as? String)
            #expect(fromAPI?.first?["createdAt"] as? String == fromCLI?.first?["createdAt"] as? String)

            // Suspend holds iris through a commit; resume applies it.
            let suspend = try await h.api("POST", "/api/v1/deployments/iris/suspend")
            #expect(suspend.status == 200, "\(suspend.text)")
            #expect(try suspend.jsonObject()["message"] as? String == "suspended iris: it keeps running as it is and ignores Git until `mooring resume iris`")
            #expect(try await h.deployment("iris")?["health"] as? String == "Suspended")
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
            let second = try h.repo.commitAll("iris v2")
            let sync = try await h.api("POST", "/api/v1/sync")
            #expect(sync.status == 200, "\(sync.text)")
            #expect(try await h.waitForStatus { _ in try await h.deployment("iris")?["desiredRevision"] as? String == second })
            #expect(try await h.servedVersion("iris") == "1")
            let resume = try await h.api("POST", "/api/v1/deployments/iris/resume")
            #expect(try resume.jsonObject()["message"] as? String == "resumed iris: it follows Git again")
            #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")

            // History and events, oldest first; `since` leaves out what came before.
            let history = try JSONSerialization.jsonObject(with: try await h.api("GET", "/api/v1/deployments/iris/history").body) as? [[String: Any]]
            #expect(history?.last?["revision"] as? String == second)
            #expect(history?.last?["outcome"] as? String == "Succeeded")
            let events = try JSONSerialization.jsonObject(with: try await h.api("GET", "/api/v1/events?deployment=iris").body) as? [[String: Any]] ?? []
            #expect(events.contains { $0["reason"] as? String == "Suspended" } || events.contains { ($0["message"] as? String ?? "").contains("suspend") })
            let last = try #require(events.last?["time"] as? String)
            let later = try JSONSerialization.jsonObject(with: try await h.api("GET", "/api/v1/events?deployment=iris&since=\(last)").body) as? [Any]
            #expect(later?.count ?? -1 < events.count)

            // Errors are JSON with a message.
            let missing = try await h.api("GET", "/api/v1/nothing-here")
            #expect(missing.status == 404)
            #expect((try missing.jsonObject()["error"] as? [String: Any])?["message"] as? String != nil)
            let badSince = try await h.api("GET", "/api/v1/events?since=yesterday")
            #expect(badSince.status == 400)
            let retryAll = try await h.api("POST", "/api/v1/sync?retry=true")
            #expect(retryAll.status == 400)
        }
    }
}

/// Requests that change state last, suspend before resume.
private func order(_ operation: OpenAPIContract.Operation) -> Int {
    if operation.path.hasSuffix("/suspend") { return 2 }
    if operation.path.hasSuffix("/resume") { return 3 }
    if operation.path == "/api/v1/down" { return 4 }
    return operation.method == "POST" ? 1 : 0
}
