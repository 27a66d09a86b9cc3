import Foundation

/// An error from the supervisor: what failed, what to do about it, and the cause.
public struct SupervisorError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case executableNotFound, notExecutable, workingDirectoryMissing, emptyCommand
            case spawnFailed, pidfdFailed, noFreePort, alreadySupervised, logFileFailed, cgroupJoinFailed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// `argv[0]` was not found (in `PATH`, or at the given path).
        public static let executableNotFound = Code(.executableNotFound)
        /// `argv[0]` exists but is not an executable file.
        public static let notExecutable = Code(.notExecutable)
        /// The working directory does not exist.
        public static let workingDirectoryMissing = Code(.workingDirectoryMissing)
        /// The command line is empty.
        public static let emptyCommand = Code(.emptyCommand)
        /// `posix_spawn` failed.
        public static let spawnFailed = Code(.spawnFailed)
        /// `pidfd_open` failed (Linux older than 5.3?).
        public static let pidfdFailed = Code(.pidfdFailed)
        /// Every port in the range is handed out or in use right now. A *waiting*
        /// condition (see `SupervisorError.isWaiting`): retry later, the spec is not at fault.
        public static let noFreePort = Code(.noFreePort)
        /// The replica is already supervised.
        public static let alreadySupervised = Code(.alreadySupervised)
        /// The log file or its directory could not be created, or is not a private file of
        /// this user's (a symlink, another user's, writable by others).
        public static let logFileFailed = Code(.logFileFailed)
        /// The new process could not join its replica's cgroup (the supervisor then starts
        /// it without one).
        public static let cgroupJoinFailed = Code(.cgroupJoinFailed)

        /// The code's name, e.g. `executableNotFound`.
        public var description: String { "\(value)" }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do next.
    public var message: String
    /// The C function that failed, if one did.
    public var function: String?
    /// The underlying error (an errno as `POSIXError`, a Foundation error, …).
    public var cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, function: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.function = function
        self.cause = cause
    }

    /// Whether this is a *waiting* condition — a shortage that passes by itself (no free
    /// port right now) — rather than a fault of the spec: retry it later, never count it
    /// against the spec. Every other code needs the spec or the host fixed.
    public var isWaiting: Bool { code == .noFreePort }

    /// The message, then the failed C function and the cause.
    public var description: String {
        var text = message
        if let function { text += " (\(function) failed" + (cause.map { ": \($0)" } ?? "") + ")" }
        else if let cause { text += " (\(cause))" }
        return text
    }
}

extension SupervisorError {
    /// An errno value as a Foundation `POSIXError`, for `cause`.
    static func errno(_ value: Int32) -> (any Error)? {
        POSIXErrorCode(rawValue: value).map { POSIXError($0) }
    }
}
