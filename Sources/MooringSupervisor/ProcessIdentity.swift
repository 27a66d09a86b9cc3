/// What makes a running process ours: pid, start time and process group.
///
/// A pid alone can be reused by an unrelated process; the start time (field 22 of
/// `/proc/<pid>/stat`, in clock ticks since boot) cannot repeat for the same pid.
public struct ProcessIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The process id.
    public var pid: Int32
    /// Field 22 of `/proc/<pid>/stat`: start time in clock ticks after boot.
    public var startTime: UInt64
    /// The process group (equal to `pid` for processes the supervisor spawned).
    public var processGroup: Int32

    /// Creates an identity from recorded values.
    public init(pid: Int32, startTime: UInt64, processGroup: Int32) {
        self.pid = pid
        self.startTime = startTime
        self.processGroup = processGroup
    }

    /// `pid 123 (started 4567, group 123)`.
    public var description: String { "pid \(pid) (started \(startTime), group \(processGroup))" }
}
