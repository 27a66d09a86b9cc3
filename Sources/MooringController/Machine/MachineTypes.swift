import Foundation
import MooringDigest
import MooringManifests
import MooringModelChecks
import MooringStatus
import MooringSupervisor
import Synchronization

/// A spec at a commit: what a deployment runs or is to run. `hash` is the spec hash as
/// stored (it may be of an older spec-hash version until the controller re-stamps it).
public struct Target: Codable, Sendable, Equatable {
    public var spec: ResolvedDeployment {
        didSet { specJSON = SpecJSONCache() }
    }
    public var revision: String
    public var hash: String
    /// The spec's stored JSON once encoded, shared by copies of this target: a machine
    /// writes its row (desired, applied and previous spec) at every transition, and
    /// encoding the specs again each time was most of the cost of starting 1,000
    /// deployments. Not part of the target's value (not encoded, not compared).
    private var specJSON = SpecJSONCache()

    public init(spec: ResolvedDeployment, revision: String, hash: String? = nil) {
        self.spec = spec
        self.revision = revision
        if let hash {
            self.hash = hash
        } else {
            // The spec hash is of the very JSON the store keeps (the canonical form of the
            // current version): encode it once for both.
            let json = spec.canonicalJSON()
            self.hash = SHA256Digest.hex(json)
            specJSON = SpecJSONCache(String(decoding: json, as: UTF8.self))
        }
    }

    private enum CodingKeys: String, CodingKey {
        case spec, revision, hash
    }

    public static func == (a: Target, b: Target) -> Bool {
        a.revision == b.revision && a.hash == b.hash && a.spec == b.spec
    }

    /// `spec` as the store keeps it (`desiredSpec`, `appliedSpec`, `previousSpec`).
    var storedSpecJSON: String { specJSON.value { spec.storedJSON } }
}

/// A spec's stored JSON, encoded on first use (see ``Target``).
final class SpecJSONCache: Sendable {
    private let stored: Mutex<String?>

    init(_ json: String? = nil) {
        stored = Mutex(json)
    }

    func value(_ encode: () -> String) -> String {
        if let json = stored.withLock({ $0 }) { return json }
        let json = encode()
        stored.withLock { $0 = json }
        return json
    }
}

/// One replica slot: a generation (one per rollout) and an index within it.
public struct ReplicaKey: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var generation: String
    public var index: Int

    public init(generation: String, index: Int) {
        self.generation = generation
        self.index = index
    }

    public static func < (a: ReplicaKey, b: ReplicaKey) -> Bool {
        (a.generation, a.index) < (b.generation, b.index)
    }

    public var description: String { "\(generation)/\(index)" }
}

/// What the controller knows of one replica. Mirrors a row of the `replica` table.
public struct ReplicaSlot: Codable, Sendable, Equatable {
    public var key: ReplicaKey
    public var specHash: String
    public var revision: String
    public var phase: ReplicaPhase
    public var port: Int?
    /// Its named extra ports (`spec.ports`), set with `port`.
    public var ports: [String: Int] = [:]
    public var identity: ProcessIdentity?
    public var restarts: Int = 0
    public var lastExit: ExitStatus?
    public var readySince: Date?
    public var startedAt: Date
    /// Why it is where it is, for people.
    public var message: String?
    /// When the data plane was told to drain it (no new requests) before it stops.
    /// Persisted, so a restarted controller keeps the drain's deadline (docs/traffic.md).
    public var drainingSince: Date?
    /// The data plane reported no request left on it while draining (not persisted).
    public var drained = false

    public init(key: ReplicaKey, specHash: String, revision: String, phase: ReplicaPhase,
                port: Int? = nil, identity: ProcessIdentity? = nil, startedAt: Date) {
        self.key = key
        self.specHash = specHash
        self.revision = revision
        self.phase = phase
        self.port = port
        self.identity = identity
        self.startedAt = startedAt
    }
}

/// A replica's state as the supervisor reports it.
public struct ReplicaObservation: Sendable, Equatable {
    public var phase: ReplicaPhase
    public var identity: ProcessIdentity?
    public var restarts: Int
    public var lastExit: ExitStatus?
    public var readySince: Date?
    public var message: String?

    public init(phase: ReplicaPhase, identity: ProcessIdentity? = nil, restarts: Int = 0,
                lastExit: ExitStatus? = nil, readySince: Date? = nil, message: String? = nil) {
        self.phase = phase
        self.identity = identity
        self.restarts = restarts
        self.lastExit = lastExit
        self.readySince = readySince
        self.message = message
    }
}

/// A failed spec that is not retried until Git changes it (or `mooring sync --retry`).
public struct Quarantine: Codable, Sendable, Equatable {
    public var specHash: String
    public var reason: String
}

/// The rollout under way, persisted as JSON in the deployment's row on every transition.
public struct RolloutState: Codable, Sendable, Equatable {
    /// The JSON format's version: a newer controller reads older rows.
    public static let formatVersion = 1
    public var formatVersion: Int = RolloutState.formatVersion
    public var kind: RolloutKind
    public var phase: RolloutPhase
    public var target: Target
    /// The generation the rollout's replicas belong to (for a scale, the serving one).
    public var generation: String
    /// What served when it began.
    public var fromHash: String?
    public var fromRevision: String?
    public var startedAt: Date
    /// When the current progress deadline ends (reset when a restarted controller resumes).
    public var deadline: Date
    /// Whether the new replicas took over (applied); Surge drains after, Recreate before.
    public var promoted: Bool = false
    /// Why it failed, once it did.
    public var failure: String?
    /// What the current phase waits on, for status.
    public var detail: String?
    /// The phase last written to the history row.
    public var recordedPhase: RolloutPhase?
    /// Whether the history row is finished (a failed rollout kept without `autoRollback`).
    public var closed: Bool = false
    /// Testing: the model tests were asked for (nil: not yet, or again after a restart).
    public var testsRequested: Bool?
    /// Testing: every model test passed on every new replica.
    public var testsPassed: Bool?
    /// When the model tests passed: behind a stable endpoint the new replicas take traffic
    /// from then on, so `minHealthySeconds` is counted from here (under traffic).
    public var testsPassedAt: Date?
    /// Canary: the step under way and the counters it counts from (nil before the first
    /// step and without canary steps).
    public var canary: CanaryProgress?
}

/// What makes a deployment's machine move.
public enum DeploymentInput: Sendable, Equatable {
    /// A valid commit wants this spec.
    case desired(Target)
    /// The deployment is gone from Git at this commit.
    case removed(revision: String)
    /// The tip commit was rejected and would have changed this deployment (nil: cleared).
    case rejected(String?)
    /// The revision export (and later, artifacts) for the rollout is ready, or failed.
    case prepared(revision: String, failure: String?)
    /// How the preparation is going (an artifact's download progress, a wait before a
    /// retry), shown as the rollout's detail while it is `Preparing`.
    case preparing(revision: String, detail: String)
    /// A replica's process was spawned, on `port` and its named `ports`.
    case started(ReplicaKey, port: Int, ports: [String: Int] = [:], identity: ProcessIdentity, at: Date)
    /// A replica could not be spawned; `waiting` failures (no free port) are retried.
    case startFailed(ReplicaKey, reason: String, waiting: Bool)
    /// The supervisor reported a replica's state.
    case observed(ReplicaKey, ReplicaObservation)
    /// A stop finished: the replica's processes are gone.
    case stopped(ReplicaKey)
    /// Recovery found a recorded replica's process gone (or adopted it: `observed`).
    case gone(ReplicaKey, reason: String)
    /// A timer fired (deadlines, `minHealthySeconds`).
    case tick
    /// A restarted controller picks the machine up: re-issue what was in flight.
    case resume
    /// `mooring sync --retry`: lift the quarantine and try again.
    case retry
    /// `mooring suspend` (true) / `mooring resume` (false).
    case suspend(Bool)
    /// The data plane has no request left on a draining replica: it may stop.
    case drained(ReplicaKey)
    /// What keeps the stable endpoint from being served (nil: nothing; it serves).
    case traffic(String?)
    /// The model tests of `generation` ran: every check's result, and the failure message
    /// naming the first failed check (nil: all passed).
    case tested(generation: String, results: [CheckResult], failure: String?)
    /// The data plane read the counters of `generation`'s servers at the stable endpoint
    /// (by server name), or could not (`failure`), as `.measureCanary` asked.
    case canaryStats(generation: String, servers: [String: ServerCounters], failure: String?)
}

/// What the controller must do after a transition, once it is persisted.
public enum DeploymentAction: Sendable, Equatable {
    /// Export the revision (and fetch artifacts) the rollout needs; report `prepared`.
    case prepare(revision: String)
    /// Spawn the replica `key` running `target`; report `started` or `startFailed`.
    case start(ReplicaKey, Target)
    /// Stop the replica `key` (SIGTERM, grace, SIGKILL); report `stopped`.
    case stop(ReplicaKey, why: String)
    /// Send `tick` at this time.
    case wake(at: Date)
    /// Record an event.
    case event(EventType, EventReason, String)
    /// Record the rollout's history row (written with the transition).
    case history(HistoryChange)
    /// Every replica is gone after a removal: delete the deployment's row.
    case delete
    /// Run `target`'s model tests against the new replicas (index, port); report `tested`.
    case runTests(generation: String, Target, ports: [ReplicaPort])
    /// Read HAProxy's counters for `generation`'s servers in this deployment's backend;
    /// report `canaryStats`.
    case measureCanary(generation: String)
}

/// A replica's index and the port it serves on, for the Testing gate.
public struct ReplicaPort: Sendable, Equatable {
    public var index: Int
    public var port: Int

    public init(index: Int, port: Int) {
        self.index = index
        self.port = port
    }
}

/// A change to the rollout history table.
public enum HistoryChange: Sendable, Equatable {
    case begin(kind: RolloutKind, revision: String, specHash: String, fromHash: String?, fromRevision: String?)
    case phase(RolloutPhase)
    case finish(RolloutOutcome, reason: String?)
    /// The model tests the Testing gate ran (every check on every new replica).
    case tests([CheckResult])
    /// A canary step was judged: its numbers and verdict.
    case canaryStep(CanaryStepResult)
}
