import Foundation
import Hummingbird
import Logging
import MooringController
import MooringStatus
import MooringStore

/// The API's routes: reads come from the state store (what `mooring status`, `history`
/// and `events` print), writes go to the controller's request queue.
struct APIRoutes: Sendable {
    let configuration: APIConfiguration
    let controller: any ControllerAPI
    let logger: Logger
    /// One fetch per burst of webhooks.
    let coalescer: WebhookCoalescer

    func register(on router: Router<BasicRequestContext>) {
        router.get("healthz") { _, _ in APIJSON.response(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let readiness = await controller.readiness()
            return APIJSON.response(Readiness(ready: readiness.ready, reason: readiness.ready ? nil : readiness.reason),
                                    status: readiness.ready ? .ok : .serviceUnavailable)
        }
        let v1 = router.group("api/v1")
        v1.get("status") { _, _ in APIJSON.response(try report(only: nil)) }
        v1.get("deployments/:name") { _, context in
            let name = try context.parameters.require("name")
            let report = try report(only: name)
            guard !report.deployments.isEmpty else { throw noDeployment(name) }
            return APIJSON.response(report)
        }
        v1.get("deployments/:name/history") { request, context in
            let name = try context.parameters.require("name")
            let limit = try limit(request, default: 50)
            let (rollouts, known) = try read { tx in
                (try tx.historyEntries(Array(try tx.rollouts(of: name, limit: limit).reversed())), try tx.deployment(named: name) != nil)
            }
            guard known || !rollouts.isEmpty else { throw noDeployment(name) }
            return APIJSON.response(rollouts)
        }
        v1.get("events") { request, _ in
            let deployment = request.uri.queryParameters["deployment"].map(String.init)
            let limit = try limit(request, default: 100)
            let since = try request.uri.queryParameters["since"].map { text -> Date in
                guard let date = ISO8601DateFormatter().date(from: String(text)) else {
                    throw APIError(.badRequest, "since=\(text) is not an ISO 8601 time such as 2026-11-23T19:42:04Z")
                }
                return date
            }
            let events = try read { tx in
                if let since { return try tx.events(of: deployment, since: since, limit: limit) }
                return try tx.events(of: deployment, limit: limit)
            }
            return APIJSON.response(Array(events.reversed()))
        }
        v1.post("sync") { request, context in
            var request = request
            let body = try await SyncBody.decode(&request, context: context)
            let name = request.uri.queryParameters["name"].map(String.init) ?? body.name
            let retry = request.uri.queryParameters["retry"].map { $0 == "true" || $0 == "1" } ?? body.retry ?? false
            if retry && name == nil {
                throw APIError(.badRequest, "retry needs the deployment's name (name=NAME): only one deployment's quarantine is lifted at a time")
            }
            return answer(await controller.request(retry ? .retry : .sync, deployment: retry ? name : nil, wait: .seconds(30)))
        }
        v1.post("deployments/:name/suspend") { _, context in
            let name = try context.parameters.require("name")
            return answer(await controller.request(.suspend, deployment: name, wait: .seconds(10)))
        }
        v1.post("deployments/:name/resume") { _, context in
            let name = try context.parameters.require("name")
            return answer(await controller.request(.resume, deployment: name, wait: .seconds(10)))
        }
        v1.post("down") { request, _ in
            guard let shutdown = configuration.shutdown else {
                throw APIError(.notFound, "this server cannot stop its controller")
            }
            let text = request.uri.queryParameters["grace"].map(String.init) ?? "30"
            guard let seconds = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), seconds >= 0, seconds <= 3600 else {
                throw APIError(.badRequest, "grace=\(text) must be seconds from 0 to 3600, such as 30 or 30s")
            }
            guard await shutdown.request(grace: .milliseconds(Int64(seconds * 1000))) else {
                throw APIError(.serviceUnavailable, "the controller is still starting; try again shortly")
            }
            return APIJSON.response(Answer(message: "the controller stops, then stops every model process (SIGTERM, \(Int(seconds))s grace, then SIGKILL)", pending: true), status: .accepted)
        }
        registerWebhooks(on: router)
        registerStatusPage(on: router)
        router.get("metrics") { _, _ in
            guard let registry = configuration.metrics else {
                throw APIError(.notFound, "metrics are not collected in this process")
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()
                                + Array(DeploymentGauges.exposition().utf8) + Array(EndpointMetrics.exposition().utf8))))
        }
    }

    /// `GET /readyz`'s body.
    struct Readiness: Encodable {
        var ready: Bool
        var reason: String?
    }

    /// What a request did: `{"message": "…"}`.
    struct Answer: Encodable {
        var message: String
        var pending: Bool
    }

    /// `POST /api/v1/sync`'s optional JSON body.
    struct SyncBody: Decodable {
        var name: String?
        var retry: Bool?

        static func decode(_ request: inout Request, context: BasicRequestContext) async throws -> SyncBody {
            let buffer = try await request.collectBody(upTo: 64 * 1024)
            guard buffer.readableBytes > 0 else { return SyncBody() }
            do {
                return try JSONDecoder().decode(SyncBody.self, from: Data(buffer.readableBytesView))
            } catch {
                throw APIError(.badRequest, "the body must be JSON such as {\"name\": \"iris\", \"retry\": true}, or empty: \(error)")
            }
        }
    }

    private func answer(_ answer: ControllerAnswer) -> Response {
        switch answer {
        case let .done(message): APIJSON.response(Answer(message: message, pending: false))
        case let .pending(message): APIJSON.response(Answer(message: message, pending: true), status: .accepted)
        case let .notFound(message): APIError(.notFound, message).json
        case let .unavailable(message): APIError(.serviceUnavailable, message).json
        }
    }

    func report(only name: String?) throws -> StatusReport {
        do {
            return try StatusReport.load(stateDirectory: configuration.layout.root, only: name)
        } catch {
            throw APIError(.serviceUnavailable, "cannot read the state store: \(error)")
        }
    }

    func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            let store = try StateStore(readOnlyPath: configuration.layout.database)
            return try store.read(body)
        } catch {
            throw APIError(.serviceUnavailable, "cannot read the state store: \(error)")
        }
    }

    private func limit(_ request: Request, default value: Int) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return value }
        guard let limit = Int(text), (1...10_000).contains(limit) else {
            throw APIError(.badRequest, "limit=\(text) must be a whole number from 1 to 10000")
        }
        return limit
    }

    private func noDeployment(_ name: String) -> APIError {
        APIError(.notFound, "no deployment named \(name); GET /api/v1/status lists them")
    }
}

extension APIError {
    /// The error as a response.
    var json: Response {
        APIJSON.response(ErrorBody(error: .init(status: Int(status.code), message: message)), status: status)
    }
}
