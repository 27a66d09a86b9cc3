import Foundation

/// Where everything lives under a controller's state directory (default `.mooring/`).
public struct StateLayout: Sendable, Hashable {
    /// The state directory itself.
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// `state.sqlite`: the durable record (WAL).
    public var database: URL { root.appendingPathComponent("state.sqlite") }
    /// `lock`: one controller per state directory.
    public var lock: URL { root.appendingPathComponent("lock") }
    /// `revisions/<sha>/`: read-only exports processes run from.
    public var revisions: URL { root.appendingPathComponent("revisions") }
    /// The content-addressed cache of remote model artifacts (see `docs/artifacts.md`).
    public var artifacts: URL { root.appendingPathComponent("artifacts") }
    /// `logs/<deployment>/<replica>.log`.
    public var logs: URL { root.appendingPathComponent("logs") }

    /// The log file of one replica of one deployment.
    public func logFile(deployment: String, replica: Int) -> URL {
        logs.appendingPathComponent(deployment).appendingPathComponent("\(replica).log")
    }
}
