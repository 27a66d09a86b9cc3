import Foundation
import GRDB

/// The Git source the controller watches, and how fetching it went. There is one row
/// (id 1); ``StateStore/putSource(_:)`` replaces it.
public struct SourceRecord: Sendable, Codable, Equatable {
    /// Always 1: the store holds a single source.
    public private(set) var id: Int64 = 1
    /// The repository URL (with any user info scrubbed) or local path.
    public var repo: String
    /// The branch or ref followed.
    public var branch: String
    /// The manifests path inside the repository (`""` for the root).
    public var path: String
    /// The commit the last successful fetch resolved the branch to.
    public var lastFetchedCommit: String?
    /// That commit's subject line.
    public var lastFetchedSubject: String?
    /// When the last fetch finished (successful or not).
    public var lastFetchAt: Date?
    /// When the next fetch is due.
    public var nextFetchAt: Date?
    /// The last fetch or validation error; may span several lines (one per diagnostic).
    /// `nil` once a fetch succeeds again.
    public var lastError: String?
    /// When `lastError` happened.
    public var lastErrorAt: Date?
    /// The newest commit whose manifests were accepted and applied.
    public var lastAppliedCommit: String?
    /// The running controller's process id.
    public var controllerPid: Int32?
    /// When the running controller started.
    public var controllerStartedAt: Date?
    /// Where the controller's HTTP API listens (`127.0.0.1:7070`), so control commands
    /// find it from the state directory alone.
    public var apiAddress: String?
    /// When this row was last written (stamped by the store).
    public var updatedAt: Date
    /// Whether the last fetched commit was rejected (its diagnostics are in `lastError`).
    public var tipRejected: Bool = false

    /// Creates a source record; `updatedAt` is replaced by the store's clock on write.
    public init(
        repo: String, branch: String, path: String,
        lastFetchedCommit: String? = nil, lastFetchedSubject: String? = nil,
        lastFetchAt: Date? = nil, nextFetchAt: Date? = nil,
        lastError: String? = nil, lastErrorAt: Date? = nil,
        lastAppliedCommit: String? = nil,
        controllerPid: Int32? = nil, controllerStartedAt: Date? = nil,
        apiAddress: String? = nil, updatedAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.repo = repo
        self.branch = branch
        self.path = path
        self.lastFetchedCommit = lastFetchedCommit
        self.lastFetchedSubject = lastFetchedSubject
        self.lastFetchAt = lastFetchAt
        self.nextFetchAt = nextFetchAt
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.lastAppliedCommit = lastAppliedCommit
        self.controllerPid = controllerPid
        self.controllerStartedAt = controllerStartedAt
        self.apiAddress = apiAddress
        self.updatedAt = updatedAt
    }
}

extension SourceRecord: FetchableRecord, PersistableRecord, UnixTimeDates {
    /// The table's name.
    public static let databaseTableName = "source"
}
