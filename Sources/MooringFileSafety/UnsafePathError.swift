#if canImport(Glibc)
import Glibc
#endif

/// Why Mooring refuses to use a path in (or on the way to) its state directory.
///
/// `code` says what is wrong, `message` says what happened and how to fix it (with the
/// command to run where there is one), `path` names the offending path and `errno` holds
/// the system error when a call failed.
public struct UnsafePathError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem an ``UnsafePathError`` is. A struct over a private enum, so
    /// codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case symlink, wrongOwner, writableByOthers, notDirectory, notRegularFile
            case hardLinked, missing, system
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The path is a symbolic link where Mooring follows none.
        public static let symlink = Code(.symlink)
        /// The path belongs to another user.
        public static let wrongOwner = Code(.wrongOwner)
        /// Group or others may write the path (or, for a directory, replace what is in it).
        public static let writableByOthers = Code(.writableByOthers)
        /// A directory was expected.
        public static let notDirectory = Code(.notDirectory)
        /// A regular file was expected.
        public static let notRegularFile = Code(.notRegularFile)
        /// The file has more than one name (a hard link may point at a file elsewhere).
        public static let hardLinked = Code(.hardLinked)
        /// The path does not exist.
        public static let missing = Code(.missing)
        /// A system call failed.
        public static let system = Code(.system)

        public var description: String { value.rawValue }
    }

    /// What is wrong.
    public let code: Code
    /// The offending path.
    public let path: String
    /// What happened and how to fix it.
    public let message: String
    /// The system error, when a call failed.
    public let errno: Int32?

    /// Creates an error.
    public init(_ code: Code, path: String, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.errno = errno
    }

    public var description: String { message }

    /// An error for a failed system call on `path`: "cannot <doing> <path>: <strerror>".
    static func system(_ function: String, path: String, doing: String, errno code: Int32) -> UnsafePathError {
        UnsafePathError(.system, path: path,
                        "cannot \(doing) \(path): \(String(cString: strerror(code))) [\(function)]", errno: code)
    }
}
