import Foundation
import MooringArtifacts
import MooringGit
import MooringManifests

/// Everything a controller needs to know that is not in Git: where the repository is,
/// which ref and path to watch, where its state lives, how often to poll. Host-local by
/// design — Git is the only source of desired state, never of these.
public struct ControllerConfiguration: Sendable {
    /// The repository as the operator gave it: a path or a URL.
    public var repository: String
    /// The ref to track.
    public var reference: GitReference
    /// The manifests folder inside the repository.
    public var manifestsPath: String
    /// The state directory (`.mooring` by default).
    public var stateDirectory: URL
    /// How often to fetch.
    public var interval: Duration
    /// Ports handed to replicas.
    public var portRange: ClosedRange<Int>
    /// Credentials for remote repositories.
    public var credentials: GitCredentials
    /// A fetch that makes no progress for this long is abandoned.
    public var stallTimeout: Duration
    /// How long to wait for orphaned processes to exit on SIGTERM before SIGKILL.
    public var orphanGracePeriod: Duration
    /// How long reading and validating a commit's manifests may take; a commit that takes
    /// longer is rejected (hostile input), not parsed again until Git changes.
    public var parseDeadline: Duration = .seconds(30)
    /// How much history the controller keeps (pruned hourly).
    public var retention: HistoryRetention = HistoryRetention()
    /// What the host allows a commit to ask for (`policy` in the host configuration); a
    /// commit that breaks it is rejected whole. Default: trusting (no policy).
    public var policy: ManifestPolicy = .trusting
    /// The values of `{{host.NAME}}` (`hostVars`); their names are what validation accepts.
    public var hostVariables: [String: String] = [:]
    /// Bounds on reading one revision's manifests (`limits`).
    public var limits: ManifestLimits = .default
    /// Signatures required on the tip commit before any manifest of it is read
    /// (`policy.verifyCommits`); nil: commits are not verified.
    public var commitSignatures: CommitSignaturePolicy?
    /// Where remote model artifacts come from (`artifacts` in the host configuration).
    public var artifacts = ArtifactSettings()

    public init(
        repository: String,
        reference: GitReference,
        manifestsPath: String = "manifests",
        stateDirectory: URL,
        interval: Duration = .seconds(30),
        portRange: ClosedRange<Int> = 20000...29999,
        credentials: GitCredentials = .none,
        stallTimeout: Duration = .seconds(120),
        orphanGracePeriod: Duration = .seconds(10)
    ) {
        self.repository = repository
        self.reference = reference
        self.manifestsPath = manifestsPath
        self.stateDirectory = stateDirectory
        self.interval = interval
        self.portRange = portRange
        self.credentials = credentials
        self.stallTimeout = stallTimeout
        self.orphanGracePeriod = orphanGracePeriod
    }

    /// The repository as shown in status and logs: user info scrubbed from URLs.
    public var displayRepository: String { scrubUserInfo(in: repository) }
}

/// How much history the state store keeps. Rollouts are the audit trail (who deployed
/// what, when, and how it ended), so they are kept long; events are operational detail.
public struct HistoryRetention: Sendable, Equatable {
    /// Finished rollouts kept per deployment (the newest).
    public var rolloutsPerDeployment: Int
    /// Events and answered requests older than this are deleted.
    public var eventsMaxAge: Duration

    public init(rolloutsPerDeployment: Int = 1000, eventsMaxAge: Duration = .seconds(90 * 86_400)) {
        self.rolloutsPerDeployment = rolloutsPerDeployment
        self.eventsMaxAge = eventsMaxAge
    }
}
