import Foundation
import Hummingbird
import NIOCore

extension APIRoutes {
    /// The largest webhook body read; a larger one is `413`.
    static let maxWebhookBody = 1 << 20

    /// `POST /api/v1/webhooks/{github,gitlab,gitea,generic}`: a signed push asks for a
    /// fetch now (a burst coalesces, see ``ControllerAPI/requestSync()``).
    func registerWebhooks(on router: Router<BasicRequestContext>) {
        for provider in WebhookProvider.allCases {
            router.post("api/v1/webhooks/\(provider.rawValue)") { request, context in
                try await webhook(provider, request, context: context)
            }
        }
    }

    /// What a webhook answers: `{"message": "…", "triggered": true|false}`.
    struct WebhookAnswer: Encodable {
        var message: String
        var triggered: Bool
    }

    private func webhook(_ provider: WebhookProvider, _ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let secret = configuration.webhookSecret else {
            throw APIError(.notFound, "webhooks are off: start `mooring run` with --webhook-secret-file PATH")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxWebhookBody {
            throw tooLarge(provider)
        }
        var request = request
        let body: [UInt8]
        do {
            body = Array(try await request.collectBody(upTo: Self.maxWebhookBody).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge(provider)
        }
        let header = Self.header(provider.header, in: request)
        if let rejection = provider.rejection(of: header, body: body, secret: secret) {
            logger.warning("webhook \(provider.rawValue) refused: \(rejection)")
            throw APIError(.unauthorized, "\(rejection); sign the body with the secret in the controller's --webhook-secret-file")
        }
        if let ignored = ignoredEvent(provider, request) {
            return APIJSON.response(WebhookAnswer(message: "ignored: \(ignored)", triggered: false), status: .accepted)
        }
        let payload = PushPayload.read(body)
        if let ref = payload.ref, let wanted = wantedRef(payload), ref != wanted {
            logger.debug("webhook \(provider.rawValue): push to \(ref) ignored (tracking \(wanted))")
            return APIJSON.response(WebhookAnswer(message: "ignored: a push to \(ref); this controller tracks \(wanted)", triggered: false),
                                    status: .accepted)
        }
        logger.info("webhook \(provider.rawValue): \(payload.ref.map { "push to \($0)" } ?? "signed request"); fetching now")
        coalescer.trigger()
        return APIJSON.response(WebhookAnswer(message: "fetch requested", triggered: true), status: .accepted)
    }

    /// The first value of header `name` (case-insensitive).
    static func header(_ name: String, in request: Request) -> String? {
        let wanted = name.lowercased()
        return request.headers.first { $0.name.canonicalName == wanted }?.value
    }

    private func tooLarge(_ provider: WebhookProvider) -> APIError {
        logger.warning("webhook \(provider.rawValue) refused: body over \(Self.maxWebhookBody) bytes")
        return APIError(.contentTooLarge, "the body is over \(Self.maxWebhookBody) bytes (1 MiB); nothing was fetched")
    }

    /// The ref a push must name: the tracked one, else the repository's default branch as
    /// the payload names it; nil when any push counts.
    private func wantedRef(_ payload: PushPayload) -> String? {
        configuration.trackedRef ?? payload.defaultBranch.map { "refs/heads/\($0)" }
    }

    /// Events that are not pushes (a GitHub `ping`, a GitLab issue hook): signed, answered, ignored.
    private func ignoredEvent(_ provider: WebhookProvider, _ request: Request) -> String? {
        let (name, pushes): (String, Set<String>)
        switch provider {
        case .github: (name, pushes) = ("X-GitHub-Event", ["push"])
        case .gitea: (name, pushes) = ("X-Gitea-Event", ["push"])
        case .gitlab: (name, pushes) = ("X-Gitlab-Event", ["Push Hook", "Tag Push Hook"])
        case .generic: return nil
        }
        guard let event = Self.header(name, in: request) else { return nil }
        return pushes.contains(event) ? nil : "a \(event) event is not a push"
    }
}
