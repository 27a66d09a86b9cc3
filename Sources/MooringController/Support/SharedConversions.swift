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
    /// model paths checked against that commit's own tree. A manifest file that is a
    /// symlink rejects the commit with a diagnostic, as `mooring validate` does.
    func manifestSet(at commit: ObjectID, path: String) throws -> ManifestSet {
        let files = try files(at: commit, under: path)
            .filter { ManifestFile.isManifestPath($0.path) }
            .map { ManifestFile(path: $0.path, contents: $0.contents, isSymlink: $0.isSymlink) }
        return ManifestSet.load(files: files, repository: GitTreeRepository(source: self, commit: commit))
    }
}

extension ObservedDeployment {
    /// What the planner needs from a stored deployment.
    init(_ record: DeploymentRecord) {
        self.init(name: record.name, applied: ResolvedDeployment.fromStored(record.appliedSpec),
                  quarantinedSpecHash: record.quarantinedSpecHash, quarantineReason: record.quarantineReason)
    }
}

extension ReplicaRecord {
    /// The supervisor's id of this replica.
    var replicaID: ReplicaID {
        ReplicaID(deployment: deployment, replica: replicaIndex, generation: generation)
    }
}
