import GRDB
@_exported import MooringStatus

// The status vocabulary lives in MooringStatus (importable without GRDB); here the words
// become column values. The schema's CHECK constraints list the same words.
extension DeploymentSync: DatabaseValueConvertible {}
extension DeploymentHealth: DatabaseValueConvertible {}
extension RolloutOutcome: DatabaseValueConvertible {}
extension EventType: DatabaseValueConvertible {}
extension RolloutPhase: DatabaseValueConvertible {}
extension RolloutKind: DatabaseValueConvertible {}
extension ReplicaPhase: DatabaseValueConvertible {}
extension IntentAction: DatabaseValueConvertible {}
