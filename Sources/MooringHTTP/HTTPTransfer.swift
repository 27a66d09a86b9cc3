import CCurl
import Foundation

/// libcurl's easy interface wrapped for one request at a time: streaming the body to a
/// sink as it arrives (never buffered whole), headers, timeouts, a stall limit, redirects,
/// AWS SigV4 signing and cancellation.
///
/// ``perform(_:cancelled:onHead:onBody:)`` blocks the calling thread for the whole
/// transfer: run it on a thread of its own (``HTTPTransfer/onOwnThread(_:)``), never on
/// Swift's cooperative pool.
public enum HTTPTransfer {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Performs `request`. `onHead` sees the final response's status and headers before the
    /// first byte of its body (or after the transfer, for an empty body); `onBody` gets the
    /// body in the chunks libcurl delivers (16 KiB at most). An error either throws aborts
    /// the transfer and is rethrown as is. `cancelled` is asked a few times a second.
    @discardableResult
    public static func perform(
        _ request: TransferRequest,
        cancelled: @escaping () -> Bool = { false },
        onHead: (HTTPResponseHead) throws -> Void = { _ in },
        onBody: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> HTTPResponseHead {
        _ = globalInit
        guard let handle = curl_easy_init() else { throw HTTPError(.setup, "\(request.method) \(request.displayURL): curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        return try withoutActuallyEscaping(onHead) { onHead in
            try withoutActuallyEscaping(onBody) { onBody in
                let context = TransferContext(handle: handle, cancelled: cancelled, onHead: onHead, onBody: onBody)
                return try withExtendedLifetime(context) {
                    try run(request, handle: handle, context: context)
                }
            }
        }
    }

    /// Performs `request` and returns the whole body, refusing one larger than `limit` bytes
    /// (for small API answers: JSON, XML listings).
    public static func fetch(_ request: TransferRequest, limit: Int = 16 << 20, cancelled: @escaping () -> Bool = { false }) throws -> TransferResponse {
        var body: [UInt8] = []
        let head = try perform(request, cancelled: cancelled) { chunk in
            guard body.count + chunk.count <= limit else {
                throw HTTPError(.transport, "\(request.method) \(request.displayURL): the response is larger than \(limit) bytes")
            }
            body.append(contentsOf: chunk)
        }
        return TransferResponse(head: head, body: body)
    }

    /// Runs `work` on a new thread of its own and waits for it without holding a thread of
    /// the cooperative pool: transfers block for as long as the network takes.
    public static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = "mooring-transfer"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private static func run(_ request: TransferRequest, handle: UnsafeMutableRawPointer, context: TransferContext) throws -> HTTPResponseHead {
        // libcurl writes its message here during the transfer: memory that does not move.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        func check(_ code: CURLcode, _ what: String) throws {
            guard code == CURLE_OK else {
                throw HTTPError(.setup, "\(request.method) \(request.displayURL): libcurl refused \(what): \(describe(code))", code: Int(code.rawValue))
            }
        }
        try check(mooring_curl_setopt_string(handle, CURLOPT_URL, request.url), "the URL")
        _ = mooring_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = mooring_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.wholeMilliseconds)
        if let timeout = request.timeout { _ = mooring_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeout.wholeMilliseconds) }
        if let stall = request.stall {
            _ = mooring_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, stall.bytesPerSecond)
            _ = mooring_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, stall.seconds)
        }
        _ = mooring_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        _ = mooring_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 10)
        try check(mooring_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "the protocols")
        try check(mooring_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "the redirect protocols")
        // A proxy from the environment never sees loopback traffic.
        _ = mooring_curl_setopt_string(handle, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1")
        _ = mooring_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "identity")
        _ = mooring_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)

        switch request.method {
        case "GET": break
        case "HEAD": _ = mooring_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default: try check(mooring_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), "the method")
        }
        if let body = request.body {
            _ = mooring_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            try body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies: the Data need not outlive this call.
                try check(mooring_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1))), "the body")
            }
        }
        var headers = request.headers
        if let signature = request.awsSignature {
            try check(mooring_curl_setopt_string(handle, CURLOPT_AWS_SIGV4, signature.provider), "AWS SigV4")
            try check(mooring_curl_setopt_string(handle, CURLOPT_USERNAME, signature.accessKeyID), "the access key")
            try check(mooring_curl_setopt_string(handle, CURLOPT_PASSWORD, signature.secretAccessKey), "the secret key")
            if let token = signature.sessionToken { headers.append((name: "x-amz-security-token", value: token)) }
        }
        for (name, value) in headers {
            guard let appended = curl_slist_append(headerList, "\(name): \(value)") else {
                throw HTTPError(.setup, "\(request.method) \(request.displayURL): cannot build the header list")
            }
            headerList = appended
        }
        if let headerList { _ = mooring_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)) }

        _ = mooring_curl_setopt_write_function(handle, writeCallback)
        _ = mooring_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque)
        _ = mooring_curl_setopt_header_function(handle, headerCallback)
        _ = mooring_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque)
        _ = mooring_curl_setopt_xferinfo_function(handle, progressCallback)
        _ = mooring_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, opaque)
        _ = mooring_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)

        let code = curl_easy_perform(handle)
        if let failure = context.failure { throw failure }
        guard code == CURLE_OK else {
            let detail = String(decoding: UnsafeRawBufferPointer(start: errorBuffer, count: strlen(errorBuffer)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let message = "\(request.method) \(request.displayURL): \(detail.isEmpty ? describe(code) : detail)"
            switch code {
            case CURLE_ABORTED_BY_CALLBACK: throw HTTPError(.cancelled, message, code: Int(code.rawValue))
            case CURLE_OPERATION_TIMEDOUT where request.timeout == nil: throw HTTPError(.stalled, message, code: Int(code.rawValue))
            case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: throw HTTPError(.setup, message, code: Int(code.rawValue))
            default: throw HTTPError(.transport, message, code: Int(code.rawValue))
            }
        }
        if let head = context.head { return head }
        let head = context.currentHead()
        try context.onHead(head)
        return head
    }

    private static func describe(_ code: CURLcode) -> String {
        curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }

    private static let writeCallback: mooring_curl_write_callback = { pointer, size, count, userdata in
        guard let userdata else { return 0 }
        let context = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        do {
            if context.head == nil {
                let head = context.currentHead()
                context.head = head
                try context.onHead(head)
            }
            try context.onBody(UnsafeRawBufferPointer(start: pointer, count: length))
            return length
        } catch {
            context.failure = error
            return 0
        }
    }

    private static let headerCallback: mooring_curl_write_callback = { pointer, size, count, userdata in
        guard let userdata, let pointer else { return 0 }
        let context = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            context.headerLines = []  // a new response (after a redirect or `100 Continue`)
        } else if let colon = line.firstIndex(of: ":") {
            context.headerLines.append((name: String(line[..<colon]),
                                        value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return length
    }

    private static let progressCallback: mooring_curl_xferinfo_callback = { userdata, _, _, _, _ in
        guard let userdata else { return 0 }
        let context = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
        return context.cancelled() ? 1 : 0
    }
}

/// What the C callbacks of one transfer share (passed to libcurl as an unretained pointer;
/// ``HTTPTransfer/perform(_:cancelled:onHead:onBody:)`` keeps it alive).
private final class TransferContext {
    let handle: UnsafeMutableRawPointer
    let cancelled: () -> Bool
    let onHead: (HTTPResponseHead) throws -> Void
    let onBody: (UnsafeRawBufferPointer) throws -> Void
    var headerLines: [(name: String, value: String)] = []
    var head: HTTPResponseHead?
    var failure: (any Error)?

    init(handle: UnsafeMutableRawPointer, cancelled: @escaping () -> Bool,
         onHead: @escaping (HTTPResponseHead) throws -> Void, onBody: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.handle = handle
        self.cancelled = cancelled
        self.onHead = onHead
        self.onBody = onBody
    }

    func currentHead() -> HTTPResponseHead {
        var status = 0
        _ = mooring_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponseHead(status: status, headers: headerLines)
    }
}

extension Duration {
    /// Whole milliseconds (for libcurl's `long` options).
    var wholeMilliseconds: Int {
        Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
