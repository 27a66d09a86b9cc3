/// A `ModelDeployment` as written in the repository: optional fields stay optional
/// until `ManifestSet` merges the named runtime and applies defaults.
public struct ModelDeployment: Hashable, Sendable {
    public var metadata: ObjectMeta
    public var model: ModelSource
    /// The ServingRuntime this deployment builds on, if any.
    public var runtime: Located<String>?
    public var command: Located<[String]>?
    public var env: [String: String]
    /// Working directory of the process, relative to the exported revision.
    public var workingDir: Located<String>?
    public var replicas: Int?
    public var health: HealthFragment
    public var rollout: RolloutFragment
    public var restart: RestartFragment
    public var stop: StopFragment
    public var suspend: Bool?
    /// `spec.endpoint`: the stable address clients use (nil: no proxy, as before).
    public var endpoint: EndpointFragment?
    /// `spec.tests`: golden requests run against every new replica before it serves.
    public var tests: [ModelTestFragment] = []
    /// Where the document starts.
    public var position: SourcePosition
    /// Where `metadata.name` is written.
    public var namePosition: SourcePosition
    /// Where each `spec.env` value is written (for policy diagnostics).
    public var envPositions: [String: SourcePosition] = [:]
    /// Where `spec.replicas` is written, if it is.
    public var replicasPosition: SourcePosition?
    /// Where `spec.health.exec` is written, if it is.
    public var healthExecPosition: SourcePosition?

    public init(metadata: ObjectMeta, position: SourcePosition, namePosition: SourcePosition) {
        self.metadata = metadata
        self.model = ModelSource()
        self.runtime = nil
        self.command = nil
        self.env = [:]
        self.workingDir = nil
        self.replicas = nil
        self.health = HealthFragment()
        self.rollout = RolloutFragment()
        self.restart = RestartFragment()
        self.stop = StopFragment()
        self.suspend = nil
        self.endpoint = nil
        self.position = position
        self.namePosition = namePosition
    }
}
