import Foundation
import MooringStore
import Synchronization

/// A clock tests move by hand, so stamped times are known exactly.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000.25)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

let commitA = String(repeating: "a", count: 40)
let commitB = String(repeating: "b", count: 40)

func sampleDeployment(
    _ name: String = "iris", specHash: String = "h1", revision: String = commitA
) -> DeploymentRecord {
    DeploymentRecord(
        name: name,
        desiredSpec: #"{"model":{"uri":"models/iris.json"},"replicas":1}"#,
        desiredSpecHash: specHash,
        desiredRevision: revision,
        sync: .outOfSync, health: .progressing, message: "rolling out",
        desiredReplicas: 1)
}

func sampleReplica(
    _ deployment: String = "iris", index: Int = 0, generation: String = "h1", port: Int = 18_000
) -> ReplicaRecord {
    ReplicaRecord(
        deployment: deployment, replicaIndex: index, generation: generation,
        specHash: generation + "-full", revision: commitA, port: port,
        state: .starting, startedAt: Date(timeIntervalSince1970: 1_700_000_000),
        logPath: "/var/lib/mooring/logs/\(deployment)/\(index).log")
}
