import CCurl
import Foundation
import MooringController

/// Talks to the running controller's HTTP API at the address it recorded in `<state>/api`:
/// `http://HOST:PORT`, or `unix:/PATH` when it listens on a Unix socket. Through libcurl,
/// which speaks HTTP over both.
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
        let (status, data) = try perform(method, path, timeout: timeout)
        var message = String(decoding: data, as: UTF8.self)
        do {
            if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                message = (object["message"] as? String) ?? ((object["error"] as? [String: Any])?["message"] as? String) ?? message
            }
        } catch {
            // Not JSON (something else answers there): the raw text is the message.
        }
        return Reply(status: status, message: message)
    }

    /// One request through libcurl; the body is kept up to 1 MiB.
    private func perform(_ method: String, _ path: String, timeout: TimeInterval) throws -> (Int, Data) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else {
            throw ControllerError(.notRunning, "cannot reach the controller's API at \(address): curl_easy_init failed")
        }
        defer { curl_easy_cleanup(handle) }
        let url: String
        if address.hasPrefix("unix:") {
            _ = mooring_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, String(address.dropFirst("unix:".count)))
            url = "http://localhost" + path
        } else {
            url = address + path
        }
        _ = mooring_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = mooring_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        if method == "POST" {
            _ = mooring_curl_setopt_long(handle, CURLOPT_POST, 1)
            _ = mooring_curl_setopt_string(handle, CURLOPT_POSTFIELDS, "")
            _ = mooring_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, 0)
        }
        _ = mooring_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        _ = mooring_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = mooring_curl_setopt_string(handle, CURLOPT_NOPROXY, "*")
        var headers: UnsafeMutablePointer<curl_slist>?
        if let token { headers = curl_slist_append(headers, "Authorization: Bearer \(token)") }
        defer { curl_slist_free_all(headers) }
        if let headers { _ = mooring_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers) }
        let body = ResponseBody()
        let unmanaged = Unmanaged.passRetained(body)
        defer { unmanaged.release() }
        _ = mooring_curl_setopt_write_function(handle, ResponseBody.collect)
        _ = mooring_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        let rc = curl_easy_perform(handle)
        guard rc == CURLE_OK else {
            let reason = curl_easy_strerror(rc).map { String(cString: $0) } ?? "error \(rc.rawValue)"
            throw ControllerError(.notRunning, "the controller's API did not answer at \(address): \(reason)")
        }
        var status = 0
        _ = mooring_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return (status, body.data)
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()
}

/// Collects a response body for libcurl's write callback, up to 1 MiB.
private final class ResponseBody {
    var data = Data()
    static let limit = 1 << 20

    static let collect: mooring_curl_write_callback = { pointer, size, count, userdata in
        let length = size * count
        guard let pointer, let userdata else { return length }
        let body = Unmanaged<ResponseBody>.fromOpaque(userdata).takeUnretainedValue()
        if body.data.count < limit {
            body.data.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: min(length, limit - body.data.count))
        }
        return length
    }
}
