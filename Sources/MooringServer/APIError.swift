import Foundation
import Hummingbird

/// An API failure: its HTTP status and a message that says what to do, sent as
/// `{"error": {"status": 404, "message": "…"}}`.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        APIJSON.response(ErrorBody(error: .init(status: Int(status.code), message: message)), status: status)
    }

    /// The JSON form of every error.
    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var status: Int
            var message: String
        }
        var error: Detail
    }
}

/// Turns every failure into a JSON error: a route's ``APIError``, Hummingbird's own
/// (an unknown path is 404, a wrong method 405), and anything unexpected (500, logged).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let message = error.status == .notFound
                ? "no such endpoint: \(request.method) \(request.uri.path); docs/api.md lists them"
                : error.status.reasonPhrase
            return APIJSON.response(APIError.ErrorBody(error: .init(status: Int(error.status.code), message: message)), status: error.status)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            return APIJSON.response(APIError.ErrorBody(error: .init(status: 500, message: "internal error: \(error)")), status: .internalServerError)
        }
    }
}

/// JSON as `mooring … -o json` prints it: sorted keys, ISO 8601 dates.
enum APIJSON {
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return try encoder.encode(value)
        } catch {
            return Data(#"{"error":{"status":500,"message":"cannot encode the response"}}"#.utf8)
        }
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        var data = encode(value)
        data.append(0x0A)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
