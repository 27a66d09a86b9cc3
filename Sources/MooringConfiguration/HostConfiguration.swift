import Foundation
import MooringArtifacts
import MooringGit
import MooringManifests

/// The host configuration file (`/etc/mooring/config.yaml`, `mooring run --config PATH`):
/// what belongs to the host and never to the repository — where the source is and its
/// credentials files, ports, the API, variables for manifests (`{{host.NAME}}`), the
/// policy, limits and retention. Every key is optional; a flag on the command line wins
/// over the file. `docs/configuration.md` documents each key.
public struct HostConfiguration: Sendable {
    /// `source:` — the repository and how to reach it.
    public struct Source: Sendable, Hashable {
        /// `source.repo`: a local path or a URL.
        public var repo: String?
        /// `source.branch`, `source.tag` or `source.commit` (at most one).
        public var reference: GitReference?
        /// `source.path`: the manifests folder inside the repository.
        public var path: String?
        /// `source.tokenFile`: HTTPS token or password file.
        public var tokenFile: String?
        /// `source.username`: user name for the token.
        public var username: String?
        /// `source.sshKey`: SSH private key file.
        public var sshKey: String?
        /// `source.knownHosts`: known_hosts file for SSH.
        public var knownHosts: String?

        public init() {}
    }

    /// `api:` — the HTTP API (carried for the API server).
    public struct API: Sendable, Hashable {
        /// `api.listen`: `HOST:PORT`.
        public var listen: String?
        /// `api.tokenFile`: the file holding the API's bearer token.
        public var tokenFile: String?

        public init() {}
    }

    /// `retention:` — how much history the state store keeps.
    public struct Retention: Sendable, Hashable {
        /// `retention.rolloutsPerDeployment`.
        public var rolloutsPerDeployment: Int?
        /// `retention.eventsMaxAge`.
        public var eventsMaxAge: Duration?

        public init() {}
    }

    /// The file this was read from (absolute).
    public var file: String
    public var source = Source()
    /// `interval`: how often to fetch.
    public var interval: Duration?
    /// `portRange`: ports handed to replicas.
    public var portRange: ClosedRange<Int>?
    public var api = API()
    /// `webhook.secretFile`: the webhook's shared secret (carried for the API server).
    public var webhookSecretFile: String?
    /// `hostVars`: values of `{{host.NAME}}` in manifests.
    public var hostVariables: [String: String] = [:]
    /// `policy`: what a commit may ask for (host runtimes already read).
    public var policy = ManifestPolicy.trusting
    /// `policy.verifyCommits`: signatures required on the applied commit; nil: none.
    public var commitSignatures: CommitSignaturePolicy?
    /// `limits`: bounds on reading a revision's manifests.
    public var limits = ManifestLimits.default
    public var retention = Retention()
    /// `artifacts`: the cache budget, S3 / Hugging Face / MLflow endpoints and secret files.
    public var artifacts = ArtifactSettings()
    /// What was odd but not wrong in the file (a key that has no effect), positioned.
    public var warnings: [Diagnostic] = []

    public init(file: String) {
        self.file = file
    }

    /// Where `mooring run` looks when `--config` is not given.
    public static let defaultPath = "/etc/mooring/config.yaml"
}

/// A host configuration file that cannot be used: every problem, positioned.
public struct HostConfigurationError: Error, CustomStringConvertible {
    /// The file.
    public var file: String
    /// What is wrong, as `file:line:column: error: key: message`.
    public var diagnostics: [Diagnostic]

    public init(file: String, diagnostics: [Diagnostic]) {
        self.file = file
        self.diagnostics = diagnostics
    }

    public var description: String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        return "the host configuration \(file) has \(errors) error\(errors == 1 ? "" : "s"); nothing was started — fix it "
            + "(`mooring config validate \(file)` checks it):\n" + diagnostics.map(\.description).joined(separator: "\n")
    }
}
