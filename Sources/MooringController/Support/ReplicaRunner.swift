import MooringSupervisor

/// What the controller needs from a supervisor: a seam, so the controller's loop can run
/// against a fake in tests. ``Supervisor`` is the real one.
public protocol ReplicaRunner: Sendable {
    /// Every state change of every replica, in order.
    var events: AsyncStream<ReplicaEvent> { get }
    /// A free port from the range, or a `SupervisorError` when none is free.
    func allocatePort() async throws -> Int
    /// `count` free ports from the range, all or none (a replica's main and named ports).
    func allocatePorts(_ count: Int) async throws -> [Int]
    /// Gives a port back that was allocated and not used.
    func releasePort(_ port: Int) async
    /// Spawns a replica and supervises it.
    func start(_ id: ReplicaID, spec: ReplicaSpec) async throws -> ReplicaSnapshot
    /// Stops a replica's process group (SIGTERM, grace period, SIGKILL) and forgets it.
    func stop(_ id: ReplicaID) async
    /// Takes over a running process started by an earlier controller; nil when it is gone.
    func adopt(_ id: ReplicaID, spec: ReplicaSpec, identity: ProcessIdentity) async -> ReplicaSnapshot?
    /// Stops supervising without stopping any process.
    func shutdown() async
}

extension ReplicaRunner {
    /// ``allocatePort()`` `count` times, giving back what was taken when one fails.
    public func allocatePorts(_ count: Int) async throws -> [Int] {
        var ports: [Int] = []
        do {
            for _ in 0..<max(count, 0) { ports.append(try await allocatePort()) }
        } catch {
            for port in ports { await releasePort(port) }
            throw error
        }
        return ports
    }
}

extension Supervisor: ReplicaRunner {}
