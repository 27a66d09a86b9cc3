import Foundation
import GRDB

extension StoreTransaction {
    /// Every replica, by deployment then insertion order.
    public func replicas() throws -> [ReplicaRecord] {
        try ReplicaRecord.order(Column("deployment"), Column("id")).fetchAll(database)
    }

    /// The replicas of `deployment`, in insertion order.
    public func replicas(of deployment: String) throws -> [ReplicaRecord] {
        try ReplicaRecord
            .filter(Column("deployment") == deployment)
            .order(Column("id"))
            .fetchAll(database)
    }

    /// The replica with row id `id`, if there is one.
    public func replica(id: Int64) throws -> ReplicaRecord? {
        try ReplicaRecord.fetchOne(database, key: id)
    }

    /// Inserts a replica and returns it with its assigned `id`. Its deployment must exist;
    /// (deployment, generation, replicaIndex) must be new.
    @discardableResult
    public func insertReplica(_ replica: ReplicaRecord) throws -> ReplicaRecord {
        var record = replica
        try record.insert(database)
        // Read back, so the result equals later reads (dates are stored as Unix seconds).
        guard let id = record.id else { return record }
        return try self.replica(id: id) ?? record
    }

    /// Replaces the stored replica with the same `id`. Throws `notFound` if there is none.
    public func updateReplica(_ replica: ReplicaRecord) throws {
        guard let id = replica.id, try ReplicaRecord.exists(database, key: id) else {
            throw StoreError(
                .notFound,
                "no replica \(replica.id.map(String.init) ?? "without id") of \(replica.deployment) in the state store; insert it first")
        }
        try replica.update(database)
    }

    /// Deletes the replica with row id `id`. Returns whether it existed.
    @discardableResult
    public func deleteReplica(id: Int64) throws -> Bool {
        try ReplicaRecord.deleteOne(database, key: id)
    }
}

extension StoreTransaction {
    /// Inserts or replaces the replica with this (deployment, generation, replicaIndex).
    public func putReplica(_ replica: ReplicaRecord) throws {
        var record = replica
        // A cached statement: the controller puts a replica row per replica transition.
        let lookup = try database.cachedStatement(
            sql: "SELECT id FROM replica WHERE deployment = ? AND generation = ? AND replicaIndex = ?")
        if let id = try Int64.fetchOne(lookup, arguments: [replica.deployment, replica.generation, replica.replicaIndex]) {
            record.id = id
            try record.update(database)
        } else {
            record.id = nil
            try record.insert(database)
        }
    }

    /// Deletes the replica with this (deployment, generation, replicaIndex), if recorded.
    @discardableResult
    public func deleteReplica(deployment: String, generation: String, index: Int) throws -> Bool {
        try database.cachedStatement(sql: "DELETE FROM replica WHERE deployment = ? AND generation = ? AND replicaIndex = ?")
            .execute(arguments: [deployment, generation, index])
        return database.changesCount > 0
    }
}

extension StateStore {
    /// Every replica, by deployment then insertion order.
    public func replicas() throws -> [ReplicaRecord] {
        try read(doing: "listing replicas") { try $0.replicas() }
    }

    /// The replicas of `deployment`, in insertion order.
    public func replicas(of deployment: String) throws -> [ReplicaRecord] {
        try read(doing: "listing replicas of \(deployment)") { try $0.replicas(of: deployment) }
    }

    /// The replica with row id `id`, if there is one.
    public func replica(id: Int64) throws -> ReplicaRecord? {
        try read(doing: "reading replica \(id)") { try $0.replica(id: id) }
    }

    /// Inserts a replica and returns it with its assigned `id`.
    @discardableResult
    public func insertReplica(_ replica: ReplicaRecord) throws -> ReplicaRecord {
        try write(doing: "adding replica \(replica.replicaIndex) of \(replica.deployment)") {
            try $0.insertReplica(replica)
        }
    }

    /// Replaces the stored replica with the same `id`; throws `notFound` if none.
    public func updateReplica(_ replica: ReplicaRecord) throws {
        try write(doing: "updating replica \(replica.replicaIndex) of \(replica.deployment)") {
            try $0.updateReplica(replica)
        }
    }

    /// Deletes the replica with row id `id`. Returns whether it existed.
    @discardableResult
    public func deleteReplica(id: Int64) throws -> Bool {
        try write(doing: "deleting replica \(id)") { try $0.deleteReplica(id: id) }
    }
}
