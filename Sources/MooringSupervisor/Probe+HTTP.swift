import CCurl

/// HTTP GET through libcurl: 2xx and 3xx (redirects not followed) are success.
enum HTTPProbe {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// A write callback that discards the body.
    private static let discard: mooring_curl_write_callback = { _, size, count, _ in size * count }

    static func get(scheme: String, port: Int, path: String, timeout: Duration) -> ProbeResult {
        _ = globalInit
        let target = path.hasPrefix("/") ? path : "/" + path
        let url = "\(scheme)://127.0.0.1:\(port)\(target)"
        guard let handle = curl_easy_init() else {
            return ProbeResult(success: false, detail: "curl_easy_init failed")
        }
        defer { curl_easy_cleanup(handle) }
        _ = mooring_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = mooring_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeout.milliseconds)
        _ = mooring_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout.milliseconds)
        _ = mooring_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = mooring_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = mooring_curl_setopt_string(handle, CURLOPT_NOPROXY, "*")
        _ = mooring_curl_setopt_write_function(handle, discard)
        let rc = curl_easy_perform(handle)
        guard rc == CURLE_OK else {
            let reason = curl_easy_strerror(rc).map { String(cString: $0) } ?? "error \(rc.rawValue)"
            return ProbeResult(success: false, detail: "GET \(url): \(reason)")
        }
        var status: Int = 0
        _ = mooring_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return ProbeResult(success: (200..<400).contains(status), detail: "GET \(url): HTTP \(status)")
    }
}
