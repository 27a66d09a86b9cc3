import Foundation

/// One HTTP request for ``HTTPTransfer``: method, URL, headers, an optional body, how long
/// it may take and how it is signed. General on purpose — artifact downloads stream the
/// body to a file, other callers buffer it (``HTTPTransfer/fetch(_:limit:)``).
public struct TransferRequest: Sendable {
    public var method: String
    public var url: String
    /// Sent as given, in order (`Range`, `Authorization: Bearer …`, `x-amz-security-token`).
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Connecting (TCP and TLS) may take this long.
    public var connectTimeout: Duration = .seconds(30)
    /// The whole transfer may take this long; nil: no limit (a download has its own deadline).
    public var timeout: Duration?
    /// A transfer slower than `bytesPerSecond` for `seconds` is abandoned as stalled.
    public var stall: (bytesPerSecond: Int, seconds: Int)? = (1, 60)
    /// Follow redirects (at most 10). libcurl does not send the credentials of this
    /// request (`Authorization`, user and password) to another host.
    public var followRedirects = true
    /// Signs the request with AWS Signature Version 4 (`CURLOPT_AWS_SIGV4`).
    public var awsSignature: AWSSignature?

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The URL without user information or query string, for messages: a presigned URL's
    /// query holds a signature, and a user-info part a password.
    public var displayURL: String { redactedURL(url) }
}

/// What libcurl needs to sign a request with AWS Signature Version 4.
public struct AWSSignature: Sendable {
    /// `aws:amz:REGION:SERVICE`, such as `aws:amz:us-east-1:s3`.
    public var provider: String
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Temporary credentials' token, sent as `x-amz-security-token`.
    public var sessionToken: String?

    public init(region: String, service: String = "s3", accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.provider = "aws:amz:\(region):\(service)"
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// `url` without its user information and query string.
public func redactedURL(_ url: String) -> String {
    var text = Substring(url)
    if let query = text.firstIndex(of: "?") { text = text[..<query] }
    guard let schemeEnd = text.range(of: "://") else { return String(text) }
    let rest = text[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return String(text) }
    return String(text[..<schemeEnd.upperBound]) + "***" + String(rest[at...])
}
