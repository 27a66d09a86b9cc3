import Foundation
import MooringSupervisor
@testable import MooringController

/// A supervisor that runs nothing: it records what the controller asks for, and a test
/// decides when a replica becomes ready — so the controller's loop is tested without
/// processes, ports or sleeping.
actor FakeRunner: ReplicaRunner {
    nonisolated let events: AsyncStream<ReplicaEvent>
    private let continuation: AsyncStream<ReplicaEvent>.Continuation
    private(set) var started: [ReplicaID] = []
    private(set) var stopped: [ReplicaID] = []
    private(set) var adopted: [ReplicaID: ReplicaSpec] = [:]
    private var specs: [ReplicaID: ReplicaSpec] = [:]
    private var identities: [ReplicaID: ProcessIdentity] = [:]
    private var nextPort = 30000
    private var nextPid: Int32 = 40000

    /// `survivors`: processes an earlier runner started that still "run", to be adopted
    /// (a controller restart); ports are handed out from `firstPort` on.
    init(survivors: [ReplicaID: ProcessIdentity] = [:], firstPort: Int = 30000) {
        (events, continuation) = AsyncStream.makeStream(of: ReplicaEvent.self)
        identities = survivors
        nextPort = firstPort
    }

    /// What it started and has not stopped, for a runner that takes over.
    func running() -> [ReplicaID: ProcessIdentity] { identities.filter { specs[$0.key] != nil } }

    func allocatePort() throws -> Int {
        nextPort += 1
        return nextPort
    }

    func releasePort(_ port: Int) {}

    func start(_ id: ReplicaID, spec: ReplicaSpec) throws -> ReplicaSnapshot {
        nextPid += 1
        started.append(id)
        specs[id] = spec
        let identity = ProcessIdentity(pid: nextPid, startTime: 1, processGroup: nextPid)
        identities[id] = identity
        let snapshot = ReplicaSnapshot(id: id, spec: spec, identity: identity,
                                       state: .starting, startedAt: Date())
        continuation.yield(ReplicaEvent(id: id, snapshot: snapshot, reason: "Started", message: "started"))
        return snapshot
    }

    func stop(_ id: ReplicaID) {
        stopped.append(id)
        specs[id] = nil
        identities[id] = nil
    }

    /// Adopts a survivor (or what it started itself), recording the spec the controller
    /// rendered for it.
    func adopt(_ id: ReplicaID, spec: ReplicaSpec, identity: ProcessIdentity) -> ReplicaSnapshot? {
        guard identities[id] == identity else { return nil }
        adopted[id] = spec
        specs[id] = spec
        return ReplicaSnapshot(id: id, spec: spec, identity: identity, state: .running, startedAt: Date())
    }

    func shutdown() {
        continuation.finish()
    }

    /// Reports `id` ready since `since`.
    func ready(_ id: ReplicaID, since: Date) {
        guard let spec = specs[id] else { return }
        let snapshot = ReplicaSnapshot(id: id, spec: spec, identity: identities[id], state: .ready, startedAt: since, readySince: since)
        continuation.yield(ReplicaEvent(id: id, snapshot: snapshot, reason: "Ready", message: "ready"))
    }

    /// The command line of a started replica.
    func arguments(of id: ReplicaID) -> [String] { specs[id]?.arguments ?? [] }

    /// The spec a started replica was given.
    func spec(of id: ReplicaID) -> ReplicaSpec? { specs[id] }
}
