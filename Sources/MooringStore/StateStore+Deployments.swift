import Foundation
import GRDB

extension StoreTransaction {
    /// Every deployment, by name.
    public func deployments() throws -> [DeploymentRecord] {
        try DeploymentRecord.order(Column("name")).fetchAll(database)
    }

    /// The deployment called `name`, if there is one.
    public func deployment(named name: String) throws -> DeploymentRecord? {
        try DeploymentRecord.fetchOne(database, key: name)
    }

    /// Inserts or replaces the deployment with `deployment.name`. `createdAt` is kept from
    /// the existing row (or set to now for a new one); `updatedAt` is set to now.
    /// Returns what was stored.
    @discardableResult
    public func upsertDeployment(_ deployment: DeploymentRecord) throws -> DeploymentRecord {
        try saveDeployment(deployment)
        // Read back, so the result equals later reads (dates are stored as Unix seconds).
        guard let stored = try self.deployment(named: deployment.name) else {
            throw StoreError(.notFound, "deployment \(deployment.name) was written but cannot be read back from the state store")
        }
        return stored
    }

    /// Writes the deployment with `deployment.name` — `createdAt` kept from the existing
    /// row (now for a new one), `updatedAt` now — without reading the row first or back
    /// (``upsertDeployment(_:)`` is this plus the read back): one UPDATE of every column
    /// but `createdAt` through a cached statement, and an INSERT when there was no row. The controller
    /// writes a row per transition and needs nothing back (1,000 deployments starting
    /// write thousands).
    public func saveDeployment(_ deployment: DeploymentRecord) throws {
        var record = deployment
        record.updatedAt = now
        let columns = try database.columns(in: DeploymentRecord.databaseTableName).map(\.name)
            .filter { $0 != "createdAt" }
        do {
            try record.update(database, columns: columns)
        } catch RecordError.recordNotFound {
            record.createdAt = now
            try record.insert(database)
        }
    }

    /// Changes the deployment called `name` in place (stamping `updatedAt`) and returns
    /// it. Throws `notFound` if there is none, `invalidArgument` if `change` renames it.
    @discardableResult
    public func updateDeployment(
        named name: String, _ change: (inout DeploymentRecord) throws -> Void
    ) throws -> DeploymentRecord {
        guard var record = try deployment(named: name) else {
            throw StoreError(.notFound, "no deployment named \(name) in the state store")
        }
        try change(&record)
        guard record.name == name else {
            throw StoreError(.invalidArgument, "cannot rename deployment \(name) to \(record.name); delete it and create the new one")
        }
        record.updatedAt = now
        try record.update(database)
        return record
    }

    /// Deletes the deployment called `name` and its replica rows; its rollouts, events
    /// and intents stay as history. Returns whether it existed.
    @discardableResult
    public func deleteDeployment(named name: String) throws -> Bool {
        // A cached statement: removing 1,000 deployments deletes 1,000 rows one by one.
        try database.cachedStatement(sql: "DELETE FROM deployment WHERE name = ?").execute(arguments: [name])
        return database.changesCount > 0
    }
}

extension StateStore {
    /// Every deployment, by name.
    public func deployments() throws -> [DeploymentRecord] {
        try read(doing: "listing deployments") { try $0.deployments() }
    }

    /// The deployment called `name`, if there is one.
    public func deployment(named name: String) throws -> DeploymentRecord? {
        try read(doing: "reading deployment \(name)") { try $0.deployment(named: name) }
    }

    /// Inserts or replaces a deployment (see ``StoreTransaction/upsertDeployment(_:)``).
    @discardableResult
    public func upsertDeployment(_ deployment: DeploymentRecord) throws -> DeploymentRecord {
        try write(doing: "writing deployment \(deployment.name)") { try $0.upsertDeployment(deployment) }
    }

    /// Changes a deployment in one transaction (see
    /// ``StoreTransaction/updateDeployment(named:_:)``).
    @discardableResult
    public func updateDeployment(
        named name: String, _ change: (inout DeploymentRecord) throws -> Void
    ) throws -> DeploymentRecord {
        try write(doing: "updating deployment \(name)") { try $0.updateDeployment(named: name, change) }
    }

    /// Deletes a deployment and its replica rows, keeping its history. Returns whether it
    /// existed.
    @discardableResult
    public func deleteDeployment(named name: String) throws -> Bool {
        try write(doing: "deleting deployment \(name)") { try $0.deleteDeployment(named: name) }
    }
}
