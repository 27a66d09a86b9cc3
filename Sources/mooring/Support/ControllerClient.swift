import Foundation
import MooringController
import MooringHTTP

/// Talks to the running controller's HTTP API at the address it recorded in `<state>/api`:
/// `http://HOST:PORT`, or `unix:/PATH` when it listens on a Unix socket (MooringHTTP's
/// libcurl client speaks HTTP over both).
struct ControllerClient {
    /// The recorded address, such as `http://127.0.0.1:7420` or `unix:/run/mooring/api.sock`.
    let address: String
    let token: String?

    /// What the API answered: its status and the message in its JSON.
    struct Reply {
        var status: Int
        var message: String
    }

    /// The recorded address, or nil; an untrusted address file is an error.
    static func recordedAddress(_ layout: StateLayout) throws -> String? {
        try layout.recordedAPIAddress()
    }

    /// Sends `method path`; throws when nothing answers (the message names the address).
    func send(_ method: String, _ path: String, timeout: TimeInterval = 30) async throws -> Reply {
        var request = HTTPRequest(method: method, url: address + path, headers: [:], body: method == "POST" ? [] : nil,
                                  timeout: .milliseconds(Int64(timeout * 1000)))
        if address.hasPrefix("unix:") {
            request.unixSocketPath = String(address.dropFirst("unix:".count))
            request.url = "http://localhost" + path
        }
        if let token { request.headers["Authorization"] = "Bearer \(token)" }
        let response: HTTPResponse
        do {
            response = try await HTTPClient.send(request)
        } catch {
            throw ControllerError(.notRunning, "the controller's API did not answer at \(address): \(error.reason)")
        }
        let data = Data(response.body)
        var message = String(decoding: data, as: UTF8.self)
        do {
            if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                message = (object["message"] as? String) ?? ((object["error"] as? [String: Any])?["message"] as? String) ?? message
            }
        } catch {
            // Not JSON (something else answers there): the raw text is the message.
        }
        return Reply(status: response.status, message: message)
    }
}
