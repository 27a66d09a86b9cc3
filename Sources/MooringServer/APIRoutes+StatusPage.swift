import Foundation
import Hummingbird
import MooringStatus
import MooringStore

extension APIRoutes {
    /// `GET /` and `GET /deployments/{name}`: the status page (``StatusPage``), under the
    /// same access rules as the API.
    func registerStatusPage(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Self.html(StatusPage.overview(try report(only: nil), now: Date()))
        }
        router.get("deployments/:name") { _, context in
            let name = try context.parameters.require("name")
            let report = try report(only: name)
            guard let deployment = report.deployments.first else {
                return Self.html(HTML.page(title: "Not found – Mooring", body: """
                    <p><a href="/">← all deployments</a></p>
                    <h1>Not found</h1>
                    <p>no deployment named \(HTML.escape(name)); <a href="/">the status page</a> lists them</p>

                    """), status: .notFound)
            }
            let (rollouts, events) = try read { tx in
                (try tx.rollouts(of: name, limit: 20), try tx.events(of: name, limit: 50))
            }
            return Self.html(StatusPage.deployment(deployment, source: report.source, rollouts: rollouts,
                                                   events: events, now: Date()))
        }
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(text.utf8))))
    }
}
