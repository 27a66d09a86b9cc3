/// A `ServingRuntime`: a reusable command template. Deployments name it in
/// `spec.runtime` and override any of its fields.
public struct ServingRuntime: Hashable, Sendable {
    public var metadata: ObjectMeta
    public var command: Located<[String]>?
    public var env: [String: String]
    public var workingDir: Located<String>?
    public var health: HealthFragment
    public var restart: RestartFragment
    public var stop: StopFragment
    /// Where the document starts.
    public var position: SourcePosition
    /// Where `metadata.name` is written.
    public var namePosition: SourcePosition
    /// `spec.ports`: named extra ports every deployment using the runtime gets (``NamedPorts``).
    public var ports: [Located<String>] = []

    public init(metadata: ObjectMeta, position: SourcePosition, namePosition: SourcePosition) {
        self.metadata = metadata
        self.command = nil
        self.env = [:]
        self.workingDir = nil
        self.health = HealthFragment()
        self.restart = RestartFragment()
        self.stop = StopFragment()
        self.position = position
        self.namePosition = namePosition
    }
}
