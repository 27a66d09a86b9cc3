/// What the host allows a commit to ask for. It comes from the host configuration
/// (`policy:`), never from the repository; a commit that breaks it is rejected whole, with
/// a diagnostic naming the policy key that forbids what it asks for.
///
/// The default, ``trusting``, is Mooring's behaviour without a policy: runtimes from the
/// repository and inline commands are both allowed, so whoever can merge to the tracked
/// branch can run any command on the host (see docs/security.md).
public struct ManifestPolicy: Sendable, Hashable {
    /// Where commands may come from (`policy.runtimes`).
    public enum Runtimes: String, Sendable, Hashable, CaseIterable {
        /// ServingRuntimes from the repository and inline `spec.command` (the default).
        case any
        /// ServingRuntimes from the repository; a ModelDeployment may not set `command`.
        case repository
        /// Only the host's ServingRuntimes (``hostRuntimes``); a ModelDeployment may not set
        /// `command`, `workingDir`, or `env` keys outside ``allowedEnvKeys``.
        case hostOnly = "host-only"
    }

    /// `policy.runtimes`.
    public var runtimes: Runtimes
    /// The ServingRuntimes of the host's runtime directory (`policy.runtimeDirectory`), by
    /// name: the only runtimes `host-only` allows.
    public var hostRuntimes: [String: ServingRuntime]
    /// `policy.runtimeDirectory`, as shown in diagnostics.
    public var runtimeDirectory: String?
    /// `policy.allowedEnvKeys`: the `spec.env` keys a ModelDeployment may set under
    /// `host-only` (none when empty).
    public var allowedEnvKeys: Set<String>
    /// `policy.allowedModelSchemes`: the kinds of `spec.model.uri` allowed — `repository`
    /// for a path inside the repository, else a URI scheme (`https`, `s3`, `hf`, `models`).
    /// Nil allows every kind Mooring supports.
    public var allowedModelSchemes: Set<String>?
    /// `policy.maxReplicas`: the most replicas one deployment may ask for. Nil: no limit
    /// beyond the manifest's own range.
    public var maxReplicas: Int?
    /// `policy.endpointPortRanges`: the ranges `spec.endpoint.port` must fall in (any port
    /// when empty).
    public var endpointPortRanges: [ClosedRange<Int>]

    public init(runtimes: Runtimes = .any, hostRuntimes: [String: ServingRuntime] = [:], runtimeDirectory: String? = nil,
                allowedEnvKeys: Set<String> = [], allowedModelSchemes: Set<String>? = nil, maxReplicas: Int? = nil,
                endpointPortRanges: [ClosedRange<Int>] = []) {
        self.runtimes = runtimes
        self.hostRuntimes = hostRuntimes
        self.runtimeDirectory = runtimeDirectory
        self.allowedEnvKeys = allowedEnvKeys
        self.allowedModelSchemes = allowedModelSchemes
        self.maxReplicas = maxReplicas
        self.endpointPortRanges = endpointPortRanges
    }

    /// No policy: today's trusting behaviour.
    public static let trusting = ManifestPolicy()

    /// The kind of a model URI for `allowedModelSchemes`: its scheme, or `repository` for a
    /// path inside the repository.
    public static func modelScheme(of uri: String) -> String {
        if uri.hasPrefix("models:") { return "models" }
        guard let end = uri.range(of: "://") else { return "repository" }
        return String(uri[..<end.lowerBound]).lowercased()
    }
}
