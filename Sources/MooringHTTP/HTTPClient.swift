import CCurl
import Dispatch
import Foundation

/// A buffered HTTP request: what `HTTPClient` sends.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]?
    /// The whole exchange, connect to last byte.
    public var timeout: Duration
    /// The most of the answer's body kept; a longer answer is an error.
    public var maxResponseBytes: Int
    /// Connect to this Unix socket instead of the URL's host and port (the URL's path is sent).
    public var unixSocketPath: String?

    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: [UInt8]? = nil,
                timeout: Duration = .seconds(30), maxResponseBytes: Int = 1 << 20, unixSocketPath: String? = nil) {
        self.unixSocketPath = unixSocketPath
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A buffered HTTP answer with the time it took.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var body: [UInt8]
    /// From sending the request to the last byte of the answer.
    public var latency: Duration
}

/// Why a request got no answer; `latency` is how long it took to find out.
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var url: String
    public var reason: String
    public var latency: Duration
    public var description: String { "\(method) \(url): \(reason)" }
}

/// Buffered HTTP through libcurl, one easy handle per request, run on a dispatch queue of
/// its own so a slow model never holds a thread of Swift's cooperative pool. Redirects are
/// not followed and proxies are never used (replicas are on loopback).
public enum HTTPClient {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()
    private static let queue = DispatchQueue(label: "mooring.http", qos: .utility, attributes: .concurrent)

    /// Sends `request` and waits for the whole answer (off the cooperative pool).
    public static func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let result: Result<HTTPResponse, HTTPClientError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: perform(request)) }
        }
        return try result.get()
    }

    /// Sends `request` on the calling thread (it blocks).
    public static func perform(_ request: HTTPRequest) -> Result<HTTPResponse, HTTPClientError> {
        _ = globalInit
        let clock = ContinuousClock()
        let started = clock.now
        func failure(_ reason: String) -> Result<HTTPResponse, HTTPClientError> {
            .failure(HTTPClientError(method: request.method, url: request.url, reason: reason, latency: clock.now - started))
        }
        guard let handle = curl_easy_init() else { return failure("curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }

        let sink = ResponseSink(limit: request.maxResponseBytes)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // Without this, curl sends `Expect: 100-continue` for larger bodies and waits.
        headerList = curl_slist_append(headerList, "Expect:")

        let timeoutMillis = max(Int(request.timeout.components.seconds * 1000 + request.timeout.components.attoseconds / 1_000_000_000_000_000), 1)
        let body = request.body ?? []
        let code: CURLcode = body.withUnsafeBufferPointer { bodyBytes in
            withExtendedLifetime(sink) {
                _ = mooring_curl_setopt_string(handle, CURLOPT_URL, request.url)
                if let socket = request.unixSocketPath {
                    _ = mooring_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, socket)
                }
                _ = mooring_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
                _ = mooring_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMillis)
                _ = mooring_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, timeoutMillis)
                _ = mooring_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                _ = mooring_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                _ = mooring_curl_setopt_string(handle, CURLOPT_NOPROXY, "*")
                _ = mooring_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
                if request.body != nil {
                    _ = mooring_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
                    _ = mooring_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS,
                                                    bodyBytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyBody)
                } else if request.method == "HEAD" {
                    _ = mooring_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                }
                _ = mooring_curl_setopt_write_function(handle, ResponseSink.write)
                _ = mooring_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
                return curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else {
            if sink.overflowed {
                return failure("the answer is larger than \(request.maxResponseBytes) bytes; it was not read")
            }
            let reason = curl_easy_strerror(code).map { String(cString: $0) } ?? "curl error \(code.rawValue)"
            return failure(reason)
        }
        var status = 0
        _ = mooring_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, body: sink.bytes, latency: clock.now - started))
    }
}

/// A static empty buffer for bodies of zero bytes (curl must get a non-NULL pointer).
nonisolated(unsafe) private let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// Collects the answer's bytes, up to a limit; curl's write callback appends to it.
private final class ResponseSink {
    let limit: Int
    var bytes: [UInt8] = []
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    static let write: mooring_curl_write_callback = { pointer, size, count, userdata in
        guard let userdata else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        guard sink.bytes.count + length <= sink.limit else {
            sink.overflowed = true
            return 0
        }
        if let pointer, length > 0 {
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
        }
        return length
    }
}
