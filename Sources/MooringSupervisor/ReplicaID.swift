/// Names one replica of one generation of a deployment.
///
/// `generation` (e.g. a short spec hash) lets two generations of a deployment run side by
/// side during a `Surge` rollout.
public struct ReplicaID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The deployment's name.
    public var deployment: String
    /// The replica's index within its generation, from 0.
    public var replica: Int
    /// The generation (spec hash) the replica runs.
    public var generation: String

    /// Creates an identifier.
    public init(deployment: String, replica: Int, generation: String) {
        self.deployment = deployment
        self.replica = replica
        self.generation = generation
    }

    /// `deployment/generation/replica`, e.g. `iris/3f2a9c/0`.
    public var description: String { "\(deployment)/\(generation)/\(replica)" }
}
