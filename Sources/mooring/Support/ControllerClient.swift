import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MooringController

/// Talks to the running controller's HTTP API at the address it recorded in `<state>/api`.
struct ControllerClient {
    /// The base URL, such as `http://127.0.0.1:7420`.
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
        guard let url = URL(string: address + path) else {
            throw ControllerError(.notRunning, "the recorded API address \(address) is not a URL")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw ControllerError(.notRunning, "the controller's API did not answer at \(address): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        var message = String(decoding: data, as: UTF8.self)
        do {
            if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                message = (object["message"] as? String) ?? ((object["error"] as? [String: Any])?["message"] as? String) ?? message
            }
        } catch {
            // Not JSON (something else answers on that port): the raw text is the message.
        }
        return Reply(status: status, message: message)
    }
}
