import Foundation
import Logging
import MooringGit
import MooringManifests
import MooringStore
import MooringSupervisor

extension ControllerConfiguration {
    /// The Git source this configuration names (the controller's and `mooring plan`'s).
    func openSource(logger: Logger) throws -> GitSource {
        try GitSource(configuration: GitSourceConfiguration(
            location: SourceLocation(parsing: repository), reference: reference,
            stateDirectory: stateDirectory.standardizedFileURL, credentials: credentials,
            stallTimeout: stallTimeout), logger: logger)
    }
}

extension GitSource {
    /// Every manifest under `path` at `commit`, decoded and validated as one revision, with
    /// model paths checked against that commit's own tree.
    func manifestSet(at commit: ObjectID, path: String) throws -> ManifestSet {
        let files = try files(at: commit, under: path)
            .filter { ManifestFile.isManifestPath($0.path) && !$0.isSymlink }
            .map { ManifestFile(path: $0.path, contents: $0.contents) }
        return ManifestSet.load(files: files, repository: GitTreeRepository(source: self, commit: commit))
    }
}

extension ObservedDeployment {
    /// What the planner needs from a stored deployment.
    ///
    /// The store keeps no spec-hash version yet, so it is read off the stored spec (see
    /// ``storedHashVersion(of:)``) and used for both stored hashes.
    init(_ record: DeploymentRecord) {
        let applied = ResolvedDeployment.fromStored(record.appliedSpec)
        let version = Self.storedHashVersion(of: applied ?? ResolvedDeployment.fromStored(record.desiredSpec))
        self.init(name: record.name, applied: applied,
                  appliedSpecHash: record.appliedSpecHash, appliedSpecHashVersion: version,
                  quarantinedSpecHash: record.quarantinedSpecHash, quarantinedSpecHashVersion: version,
                  quarantineReason: record.quarantineReason)
    }

    /// The spec-hash version of hashes stored alongside `spec`, until the store keeps it
    /// beside each hash: a spec with a model but no `contentID` was stored by a controller
    /// before version 2 (version 2 records the content id of every model in a Git
    /// revision), so its hashes are version 1. A spec with a content id was stored at the
    /// current version, and one without a model hashes the same at every version.
    static func storedHashVersion(of spec: ResolvedDeployment?) -> Int {
        if let model = spec?.model, model.contentID == nil { return 1 }
        return ResolvedDeployment.specHashVersion
    }
}

extension ReplicaRecord {
    /// The supervisor's id of this replica.
    var replicaID: ReplicaID {
        ReplicaID(deployment: deployment, replica: replicaIndex, generation: generation)
    }
}
