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
    /// symlink rejects the commit with a diagnostic, as `mooring validate` does. The host's
    /// policy, variable names and limits come from `configuration` (none: the defaults,
    /// and `{{host.NAME}}` unchecked). Files whose blob `cache` has decoded before are not
    /// decoded again (a commit that changes one file of 100 decodes one); the process-wide
    /// cache by default.
    public func manifestSet(at commit: ObjectID, path: String, configuration: ControllerConfiguration? = nil,
                            cache: ManifestDecodeCache = .controller) throws -> ManifestSet {
        let limits = configuration?.limits ?? .default
        // Sizes come from Git's object headers: a blob over a limit is never read.
        let files = try files(at: commit, under: path, including: ManifestFile.isManifestPath,
                              limits: (file: limits.maxFileBytes, total: limits.maxTotalBytes))
            .map { ManifestFile(path: $0.path, contents: $0.contents, byteCount: $0.size, isSymlink: $0.isSymlink, contentID: $0.id.hex) }
        return ManifestSet.load(files: files, repository: try GitTreeRepository(source: self, commit: commit),
                                limits: limits, policy: configuration?.policy ?? .trusting,
                                hostVariables: configuration.map { Set($0.hostVariables.keys) }, cache: cache)
    }
}

extension ManifestDecodeCache {
    /// The controller's cache: it holds the manifests of the revision parsed last.
    public static let controller = ManifestDecodeCache()
}

extension ObservedDeployment {
    /// What the planner needs from a stored deployment; throws when the stored applied
    /// spec cannot be decoded (a plan must not pretend nothing runs). The row records the
    /// spec-hash version of its hashes.
    init(_ record: DeploymentRecord) throws {
        var applied: ResolvedDeployment?
        if let text = record.appliedSpec {
            do {
                applied = try JSONDecoder().decode(ResolvedDeployment.self, from: Data(text.utf8))
            } catch {
                throw UnreadableDeployment(name: record.name, reason: "its applied spec does not decode: \(error)")
            }
        }
        self.init(name: record.name, applied: applied,
                  appliedSpecHash: record.appliedSpecHash, appliedSpecHashVersion: record.specHashVersion,
                  quarantinedSpecHash: record.quarantinedSpecHash, quarantinedSpecHashVersion: record.specHashVersion,
                  quarantineReason: record.quarantineReason)
    }
}

extension ReplicaRecord {
    /// The supervisor's id of this replica.
    var replicaID: ReplicaID {
        ReplicaID(deployment: deployment, replica: replicaIndex, generation: generation)
    }
}
