import Foundation
import Hummingbird
import MooringDigest

/// Requires `Authorization: Bearer TOKEN` on every path but `/healthz`, `/readyz`,
/// `/metrics` and the webhooks (which carry their own signature). The token is compared
/// in constant time.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    /// Paths anyone who can reach the port may call.
    static func isOpen(_ path: String) -> Bool {
        path == "/healthz" || path == "/readyz" || path == "/metrics" || path.hasPrefix("/api/v1/webhooks/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isOpen(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "this endpoint needs `Authorization: Bearer TOKEN` (the token in the controller's --api-token-file)")
        }
        guard ConstantTime.equal(Array(header.utf8.dropFirst("Bearer ".utf8.count)), token) else {
            context.logger.warning("API request \(request.method) \(request.uri.path) refused: wrong bearer token")
            throw APIError(.unauthorized, "wrong bearer token")
        }
        return try await next(request, context)
    }
}

/// Comparisons whose time does not depend on where two secrets differ.
enum ConstantTime {
    /// Equal when both hold the same bytes. Compares SHA-256 digests, so the time depends
    /// on neither the content nor the length of `a`.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let left = SHA256Digest.hash(a)
        let right = SHA256Digest.hash(b)
        var difference: UInt8 = 0
        for index in 0..<left.count { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
