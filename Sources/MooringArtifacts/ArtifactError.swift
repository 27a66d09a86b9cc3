/// Why an artifact could not be fetched, and whether trying again can help.
public struct ArtifactError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// It will not work by trying again (404, 403, checksum mismatch, disk full, bad
        /// configuration): the rollout fails and the serving version stays.
        case permanent
        /// The network or the server failed (reset, 5xx, 429, stall): retried with backoff
        /// until the download deadline; a partial file is kept and resumed.
        case transient
        /// `downloadDeadlineSeconds` passed.
        case deadline
        /// The rollout no longer wants it (superseded, suspended, controller stopping).
        case cancelled
    }

    public var kind: Kind
    /// What failed and what happens next; URLs redacted, secrets never included.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
