import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A finished HTTP exchange as a test sees it: status code and body.
public struct HTTPResponse: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The raw response body.
    public let body: Data

    /// The body as UTF-8 text (empty if it is not UTF-8).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object; throws if it is not one.
    public func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw TestingError("response body is not a JSON object: \(text.prefix(200))")
        }
        return object
    }
}

/// Sends one HTTP request and returns the response, whatever its status.
///
/// Throws only when there is no response at all (connection refused, timeout), so a
/// readiness wait can treat a throw as "not up yet".
public func httpRequest(
    _ url: String,
    method: String = "GET",
    body: Data? = nil,
    headers: [String: String] = [:],
    timeout: Duration = .seconds(10)
) async throws -> HTTPResponse {
    guard let target = URL(string: url) else { throw TestingError("not a URL: \(url)") }
    var request = URLRequest(url: target)
    request.httpMethod = method
    request.httpBody = body
    request.timeoutInterval = Double(timeout.components.seconds)
        + Double(timeout.components.attoseconds) / 1e18
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    if body != nil, headers["Content-Type"] == nil {
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    guard let http = response as? HTTPURLResponse else {
        throw TestingError("\(method) \(url) got a response that is not HTTP")
    }
    return HTTPResponse(status: http.statusCode, body: data)
}
