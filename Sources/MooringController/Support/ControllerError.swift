/// A controller failure the operator must act on, with what to do next.
public struct ControllerError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure; a struct so new kinds can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case locked, stateDirectory, source, store, configuration, notRunning }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// Another controller holds the state directory's lock.
        public static let locked = Code(.locked)
        /// The state directory cannot be created or written.
        public static let stateDirectory = Code(.stateDirectory)
        /// The Git source cannot be opened.
        public static let source = Code(.source)
        /// The state store cannot be opened.
        public static let store = Code(.store)
        /// No controller runs on the state directory (a command needs one).
        public static let notRunning = Code(.notRunning)
        /// The controller's own settings are unusable.
        public static let configuration = Code(.configuration)
        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
