/// A transfer that did not complete: libcurl's error (connection refused, reset, timeout,
/// TLS), a stall, a cancellation, or an error the caller's sink threw (rethrown as is).
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The network or the server failed mid-way: worth retrying.
        case transport
        /// No data for too long (`TransferRequest.stall`).
        case stalled
        /// The caller's `cancelled` said stop.
        case cancelled
        /// Bad request setup (an option libcurl refused, no handle).
        case setup
    }

    public var kind: Kind
    /// `METHOD URL` (redacted) and libcurl's message.
    public var message: String
    /// libcurl's `CURLcode`.
    public var code: Int

    public init(_ kind: Kind, _ message: String, code: Int = 0) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }
}
