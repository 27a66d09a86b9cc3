import Foundation

/// Where a replica is in its life.
public enum ReplicaState: String, Sendable, Codable, CaseIterable {
    /// Spawned, in the startup phase: not yet healthy.
    case starting
    /// Alive but not ready: adopted and not yet probed healthy, or failing its probes.
    case running
    /// Alive and passing its health probe (or without a probe).
    case ready
    /// Being stopped (SIGTERM sent, waiting for the grace period).
    case stopping
    /// Exited and not going to be restarted.
    case exited
    /// Exited; waiting out the restart backoff.
    case backoff
    /// Exited quickly too many times in a row; still restarted with backoff, but reported.
    case crashLoop
}

/// How a process ended, and when.
public struct ExitStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The exit code, when it exited normally.
    public var code: Int32?
    /// The signal that ended it, when one did.
    public var signal: Int32?
    /// When the supervisor saw the exit.
    public var time: Date

    /// Creates a status. Both `code` and `signal` nil means unknown (an adopted process
    /// that was not the supervisor's child).
    public init(code: Int32?, signal: Int32?, time: Date) {
        self.code = code
        self.signal = signal
        self.time = time
    }

    /// Whether the status is known at all.
    public var isKnown: Bool { code != nil || signal != nil }

    /// `exit code 3`, `signal 9 (SIGKILL)` or `exit status unknown (not our child)`.
    public var description: String {
        if let code { return "exit code \(code)" }
        if let signal { return "signal \(signal)\(Self.signalName(signal).map { " (\($0))" } ?? "")" }
        return "exit status unknown (not our child)"
    }

    static func signalName(_ signal: Int32) -> String? {
        switch signal {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 3: "SIGQUIT"
        case 4: "SIGILL"
        case 6: "SIGABRT"
        case 7: "SIGBUS"
        case 8: "SIGFPE"
        case 9: "SIGKILL"
        case 11: "SIGSEGV"
        case 13: "SIGPIPE"
        case 14: "SIGALRM"
        case 15: "SIGTERM"
        default: nil
        }
    }
}

/// A replica as the supervisor sees it at one moment.
public struct ReplicaSnapshot: Sendable {
    /// Which replica.
    public var id: ReplicaID
    /// What it runs.
    public var spec: ReplicaSpec
    /// The current process, nil while none runs (backoff, exited).
    public var identity: ProcessIdentity?
    /// Its state.
    public var state: ReplicaState
    /// How many times the supervisor started it again after an exit.
    public var restarts: Int
    /// The last exit.
    public var lastExit: ExitStatus?
    /// When the current process started (or was adopted).
    public var startedAt: Date?
    /// Since when it has been ready, nil when not ready.
    public var readySince: Date?
    /// Why it is in its state, for operators (e.g. a crash loop with the last exit and log tail).
    public var message: String?

    /// Creates a snapshot (the supervisor makes these; public for tests and fakes).
    public init(id: ReplicaID, spec: ReplicaSpec, identity: ProcessIdentity?, state: ReplicaState,
                restarts: Int = 0, lastExit: ExitStatus? = nil, startedAt: Date? = nil,
                readySince: Date? = nil, message: String? = nil) {
        self.id = id
        self.spec = spec
        self.identity = identity
        self.state = state
        self.restarts = restarts
        self.lastExit = lastExit
        self.startedAt = startedAt
        self.readySince = readySince
        self.message = message
    }
}

/// One change of a replica, as the controller consumes it.
public struct ReplicaEvent: Sendable {
    /// Which replica.
    public var id: ReplicaID
    /// The replica after the change.
    public var snapshot: ReplicaSnapshot
    /// One word: `Started`, `Ready`, `Unready`, `StartupTimeout`, `Exited`, `BackOff`,
    /// `CrashLoop`, `Stopping`, `Stopped`, `Adopted`, `Gone`, `Failed`.
    public var reason: String
    /// A sentence for people.
    public var message: String

    /// Creates an event (the supervisor makes these; public for tests and fakes).
    public init(id: ReplicaID, snapshot: ReplicaSnapshot, reason: String, message: String) {
        self.id = id
        self.snapshot = snapshot
        self.reason = reason
        self.message = message
    }
}
