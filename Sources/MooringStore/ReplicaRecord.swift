import Foundation
import GRDB

/// One model-serving process the controller started (or means to start) for a
/// deployment. Its identity for re-adoption is `pid` + `startTime` (from
/// `/proc/<pid>/stat`); (deployment, generation, replicaIndex) is unique.
public struct ReplicaRecord: Sendable, Codable, Equatable {
    /// Row id, assigned by the store on insert (`nil` before).
    public var id: Int64?
    /// The deployment's name. Deleting the deployment deletes its replicas.
    public var deployment: String
    /// 0-based replica number within its generation.
    public var replicaIndex: Int
    /// The generation (a prefix of the spec hash) the replica belongs to.
    public var generation: String
    /// The full hash of the spec it runs.
    public var specHash: String
    /// The commit it runs from.
    public var revision: String
    /// The port it serves on; `nil` while `Pending` (allocated at spawn).
    public var port: Int?
    /// Its process id, once started (set together with `startTime`).
    public var pid: Int32?
    private var startTimeBits: Int64?
    /// Its process group, once started.
    public var processGroup: Int32?
    /// Where it is in its life.
    public var state: ReplicaPhase
    /// How many times it has been restarted.
    public var restarts: Int
    /// Exit status of the last exit, if it exited normally.
    public var lastExitCode: Int32?
    /// Signal of the last exit, if a signal ended it.
    public var lastExitSignal: Int32?
    /// When it last exited.
    public var lastExitAt: Date?
    /// Since when it has been ready, nil when not ready.
    public var readySince: Date?
    /// When the data plane was told to drain it before it stops; nil when not draining.
    public var drainingSince: Date?
    /// When it was (last) started.
    public var startedAt: Date
    /// Its log file.
    public var logPath: String
    /// Its named extra ports as a JSON object (`{"grpc":20003}`); read with ``namedPorts()``.
    public var ports: String = "{}"

    /// The process start time in clock ticks since boot (`/proc/<pid>/stat` field 22),
    /// set together with `pid`. Stored as its Int64 bit pattern.
    public var startTime: UInt64? {
        get { startTimeBits.map { UInt64(bitPattern: $0) } }
        set { startTimeBits = newValue.map { Int64(bitPattern: $0) } }
    }

    private enum CodingKeys: String, CodingKey {
        case id, deployment, replicaIndex, generation, specHash, revision, port, pid
        case startTimeBits = "startTime"
        case processGroup, state, restarts, lastExitCode, lastExitSignal, lastExitAt, readySince
        case drainingSince, startedAt, logPath, ports
    }

    /// Creates a replica record (`id` is assigned on insert).
    public init(
        id: Int64? = nil, deployment: String, replicaIndex: Int, generation: String,
        specHash: String, revision: String, port: Int?,
        pid: Int32? = nil, startTime: UInt64? = nil, processGroup: Int32? = nil,
        state: ReplicaPhase, restarts: Int = 0,
        lastExitCode: Int32? = nil, lastExitSignal: Int32? = nil, lastExitAt: Date? = nil, readySince: Date? = nil,
        drainingSince: Date? = nil, startedAt: Date, logPath: String
    ) {
        self.id = id
        self.deployment = deployment
        self.replicaIndex = replicaIndex
        self.generation = generation
        self.specHash = specHash
        self.revision = revision
        self.port = port
        self.pid = pid
        self.startTimeBits = startTime.map { Int64(bitPattern: $0) }
        self.processGroup = processGroup
        self.state = state
        self.restarts = restarts
        self.lastExitCode = lastExitCode
        self.lastExitSignal = lastExitSignal
        self.lastExitAt = lastExitAt
        self.readySince = readySince
        self.drainingSince = drainingSince
        self.startedAt = startedAt
        self.logPath = logPath
    }
}

extension ReplicaRecord {
    /// The named ports `ports` holds; throws when the stored text is not an object of
    /// names to ports (the schema admits only JSON objects).
    public func namedPorts() throws -> [String: Int] {
        do {
            return try JSONDecoder().decode([String: Int].self, from: Data(ports.utf8))
        } catch {
            throw StoreError(.invalidData, "replica \(replicaIndex) of \(deployment) has unreadable named ports `\(ports)`: \(error)")
        }
    }

    /// Sets `ports` to `named` (sorted keys, stable text).
    public mutating func setNamedPorts(_ named: [String: Int]) {
        let body = named.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        ports = "{\(body)}"
    }
}

extension ReplicaRecord: FetchableRecord, MutablePersistableRecord, UnixTimeDates {
    /// The table's name.
    public static let databaseTableName = "replica"
    /// Takes the row id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
