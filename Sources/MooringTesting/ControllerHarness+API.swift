import Foundation

extension ControllerHarness {
    /// The running controller's API base URL, as it recorded it in `<state>/api`
    /// (waits until it is there).
    public func apiURL(timeout: Duration = .seconds(60)) async throws -> String {
        let file = stateDirectory.appendingPathComponent("api")
        var found: String?
        _ = await waitUntil(timeout: timeout, interval: .milliseconds(100)) {
            guard let data = FileManager.default.contents(atPath: file.path) else { return false }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            found = text.isEmpty ? nil : text
            return found != nil
        }
        guard let found else { throw TestingError("the controller recorded no API address in \(file.path)\n\(controllerLog)") }
        return found
    }

    /// One request to the running controller's API.
    public func api(_ method: String, _ path: String, body: Data? = nil,
                    headers: [String: String] = [:]) async throws -> HTTPResponse {
        try await httpRequest(try await apiURL() + path, method: method, body: body, headers: headers)
    }
}
