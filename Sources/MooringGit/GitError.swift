/// A failure of the Git source, as a fact the controller can record and act on.
///
/// `code` says what kind of failure it is, `message` says what happened and what to do
/// (URLs have their user info scrubbed; secrets never appear), `function` names the
/// libgit2 function that failed when there is one, and `isRetryable` says whether trying
/// again later can help (an unreachable host can come back; a rejected password cannot).
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure. A struct over a private enum so new kinds can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case unreachable, authenticationFailed, untrustedHost, notFound, refNotFound
            case pathNotFound, corruptMirror, stalled, diskFull, invalidConfiguration, other
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The host could not be reached (DNS, connection refused, TLS, network).
        public static let unreachable = Code(.unreachable)
        /// The server rejected the credentials, or asked for some and none are configured.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The SSH host key is unknown or does not match `known_hosts`.
        public static let untrustedHost = Code(.untrustedHost)
        /// The repository (or an object in it) does not exist.
        public static let notFound = Code(.notFound)
        /// The tracked branch, tag or commit does not exist.
        public static let refNotFound = Code(.refNotFound)
        /// The manifests path does not exist at the commit.
        public static let pathNotFound = Code(.pathNotFound)
        /// The local mirror is damaged and could not be recovered by re-cloning.
        public static let corruptMirror = Code(.corruptMirror)
        /// A fetch made no progress for the configured stall timeout and was abandoned.
        public static let stalled = Code(.stalled)
        /// The disk is full.
        public static let diskFull = Code(.diskFull)
        /// The controller's Git configuration is wrong (bad URL, missing credential file…).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Anything else libgit2 reported.
        public static let other = Code(.other)

        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What happened and what to do next; never contains a secret or URL user info.
    public let message: String
    /// The libgit2 function that failed, if the failure came from libgit2.
    public let function: String?
    /// Whether trying again later can help.
    public let isRetryable: Bool
    /// The lower-level error this one wraps, if any.
    public let cause: (any Error & Sendable)?

    /// Creates an error; `message` is scrubbed of URL user info.
    public init(
        code: Code, message: String, function: String? = nil, isRetryable: Bool = false,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = scrubUserInfo(in: message)
        self.function = function
        self.isRetryable = isRetryable
        self.cause = cause
    }

    public var description: String {
        var text = message
        if let function { text += " [\(function)]" }
        return text
    }
}
