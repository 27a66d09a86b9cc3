import Foundation
import MooringGit
import MooringManifests

/// Turns the configuration file's one YAML document into a ``HostConfiguration``,
/// reporting every problem (unknown keys with a suggestion, wrong types, bad values) at its
/// position, as manifests do.
struct HostConfigurationDecoder {
    let context: DecodingContext
    /// The directory relative paths in the file are taken from.
    let base: URL

    static let topKeys = ["source", "interval", "portRange", "api", "webhook", "hostVars", "policy", "limits", "retention", "artifacts"]
    static let sourceKeys = ["repo", "branch", "tag", "commit", "path", "tokenFile", "username", "sshKey", "knownHosts"]
    static let apiKeys = ["listen", "tokenFile"]
    static let webhookKeys = ["secretFile"]
    static let policyKeys = ["runtimes", "runtimeDirectory", "allowedEnvKeys", "allowedModelSchemes", "maxReplicas",
                             "endpointPortRanges", "verifyCommits"]
    static let verifyKeys = ["mode", "allowedSigners", "keyring", "scope"]
    static let limitKeys = ["maxFileBytes", "maxTotalBytes", "maxDocumentsPerFile", "maxNodesPerDocument", "maxNodesPerFile", "maxDepth"]
    static let retentionKeys = ["rolloutsPerDeployment", "eventsMaxAge"]
    /// The model URI kinds `policy.allowedModelSchemes` may list.
    static let modelSchemes = ["repository", "https", "http", "s3", "hf", "models", "file"]

    /// The configuration, and (when `policy.runtimes` is host-only) where the host runtimes
    /// are to be read from.
    func decode(_ root: YAMLNode, into configuration: inout HostConfiguration) -> URL? {
        guard let top = MappingReader(root, path: "", known: Self.topKeys, context: context) else { return nil }
        if let source = top.mapping("source", known: Self.sourceKeys) { decodeSource(source, into: &configuration) }
        configuration.interval = duration(top, "interval", minimum: .milliseconds(100))
        if let text = scalarText(top, "portRange") {
            configuration.portRange = parsePortRange(text.value)
            if configuration.portRange == nil {
                context.error(at: text.position, field: "portRange", "`\(text.value)` is not a port range; write FIRST-LAST with 1 ≤ FIRST ≤ LAST ≤ 65535, such as 20000-29999")
            }
        }
        if let api = top.mapping("api", known: Self.apiKeys) {
            configuration.api.listen = api.string("listen")?.value
            configuration.api.tokenFile = path(api, "tokenFile")
        }
        if let webhook = top.mapping("webhook", known: Self.webhookKeys) {
            configuration.webhookSecretFile = path(webhook, "secretFile")
        }
        for (name, value) in top.stringMap("hostVars") ?? [:] {
            guard HostVariable.isValidName(name) else {
                context.error(at: value.position, field: "hostVars.\(name)",
                              "`\(name)` is not a valid host variable name; use letters, digits, `_` and `-`, starting with a letter or `_`")
                continue
            }
            configuration.hostVariables[name] = value.value
        }
        var runtimeDirectory: URL?
        if let policy = top.mapping("policy", known: Self.policyKeys) {
            runtimeDirectory = decodePolicy(policy, into: &configuration)
        }
        if let limits = top.mapping("limits", known: Self.limitKeys) { decodeLimits(limits, into: &configuration.limits) }
        if let artifacts = top.mapping("artifacts", known: Self.artifactKeys) { decodeArtifacts(artifacts, into: &configuration.artifacts) }
        if let retention = top.mapping("retention", known: Self.retentionKeys) {
            configuration.retention.rolloutsPerDeployment = retention.int("rolloutsPerDeployment", in: 1...10_000_000)
            configuration.retention.eventsMaxAge = duration(retention, "eventsMaxAge", minimum: .seconds(3600))
        }
        return runtimeDirectory
    }

    private func decodeSource(_ source: MappingReader, into configuration: inout HostConfiguration) {
        configuration.source.repo = source.string("repo")?.value
        let references = ["branch", "tag", "commit"].filter { source.has($0) }
        if references.count > 1 {
            context.error(at: source.position(references[1]), field: "source.\(references[1])",
                          "give one of source.branch, source.tag and source.commit, not \(references.joined(separator: " and "))")
        }
        if let branch = source.string("branch") { configuration.source.reference = .branch(branch.value) }
        else if let tag = source.string("tag") { configuration.source.reference = .tag(tag.value) }
        else if let commit = source.string("commit") { configuration.source.reference = .commit(commit.value) }
        configuration.source.path = source.string("path")?.value
        configuration.source.tokenFile = path(source, "tokenFile")
        configuration.source.username = source.string("username")?.value
        configuration.source.sshKey = path(source, "sshKey")
        configuration.source.knownHosts = path(source, "knownHosts")
    }

    private func decodePolicy(_ policy: MappingReader, into configuration: inout HostConfiguration) -> URL? {
        var rules = ManifestPolicy.trusting
        if let runtimes = policy.enumeration("runtimes", ManifestPolicy.Runtimes.self) { rules.runtimes = runtimes }
        var directory: URL?
        if let written = path(policy, "runtimeDirectory") {
            directory = URL(fileURLWithPath: written)
            rules.runtimeDirectory = written
        }
        if rules.runtimes == .hostOnly && directory == nil && !policy.has("runtimeDirectory") {
            policy.missing("runtimeDirectory", hint: "policy.runtimes is host-only: give the folder of the host's ServingRuntime YAML files")
        } else if rules.runtimes != .hostOnly && directory != nil {
            context.warning(at: policy.position("runtimeDirectory"), field: "policy.runtimeDirectory",
                            "the host's runtimes are used only with policy.runtimes: host-only; this folder is not read")
            directory = nil
        }
        if let keys = policy.stringList("allowedEnvKeys") { rules.allowedEnvKeys = Set(keys.map(\.value)) }
        if let schemes = policy.stringList("allowedModelSchemes") {
            for scheme in schemes where !Self.modelSchemes.contains(scheme.value) {
                var message = "`\(scheme.value)` is not a model URI kind"
                if let suggestion = closestMatch(to: scheme.value, in: Self.modelSchemes) { message += "; did you mean `\(suggestion)`?" }
                context.error(at: scheme.position, field: "policy.allowedModelSchemes", message + " (known: \(Self.modelSchemes.joined(separator: ", ")))")
            }
            rules.allowedModelSchemes = Set(schemes.map(\.value))
        }
        rules.maxReplicas = policy.int("maxReplicas", in: 0...ManifestDefaults.replicasRange.upperBound)
        if let ranges = policy.stringList("endpointPortRanges") {
            for range in ranges {
                guard let parsed = parsePortRange(range.value) else {
                    context.error(at: range.position, field: "policy.endpointPortRanges",
                                  "`\(range.value)` is not a port range; write FIRST-LAST, such as 8000-8099 (quoted)")
                    continue
                }
                rules.endpointPortRanges.append(parsed)
            }
        }
        if let verify = policy.mapping("verifyCommits", known: Self.verifyKeys) {
            configuration.commitSignatures = decodeVerification(verify)
        }
        configuration.policy = rules
        return directory
    }

    private func decodeVerification(_ verify: MappingReader) -> CommitSignaturePolicy? {
        let scope = verify.has("scope") ? verify.enumeration("scope", CommitSignaturePolicy.Scope.self) : .tip
        guard let mode = verify.string("mode") else {
            if !verify.has("mode") { verify.missing("mode", hint: "use `ssh` (with allowedSigners) or `gpg` (with keyring)") }
            return nil
        }
        switch mode.value {
        case "ssh":
            if verify.has("keyring") {
                context.error(at: verify.position("keyring"), field: "policy.verifyCommits.keyring", "keyring is for mode gpg; with mode ssh give allowedSigners")
            }
            guard let signers = path(verify, "allowedSigners") else {
                if !verify.has("allowedSigners") {
                    verify.missing("allowedSigners", hint: "give the allowed_signers file SSH signatures are checked against (see ssh-keygen(1), ALLOWED SIGNERS)")
                }
                return nil
            }
            return scope.map { CommitSignaturePolicy(mode: .ssh(allowedSigners: signers), scope: $0) }
        case "gpg":
            if verify.has("allowedSigners") {
                context.error(at: verify.position("allowedSigners"), field: "policy.verifyCommits.allowedSigners", "allowedSigners is for mode ssh; with mode gpg give keyring")
            }
            guard let keyring = path(verify, "keyring") else {
                if !verify.has("keyring") {
                    verify.missing("keyring", hint: "give the keyring file (gpg --export KEY > FILE) gpgv checks signatures against")
                }
                return nil
            }
            return scope.map { CommitSignaturePolicy(mode: .gpg(keyring: keyring), scope: $0) }
        default:
            context.error(at: mode.position, field: "policy.verifyCommits.mode", "`\(mode.value)` is not a valid value; use `ssh` or `gpg`")
            return nil
        }
    }

    private func decodeLimits(_ reader: MappingReader, into limits: inout ManifestLimits) {
        let bytes = 1_024...(1 << 34)
        if let value = reader.int("maxFileBytes", in: bytes, unit: "bytes") { limits.maxFileBytes = value }
        if let value = reader.int("maxTotalBytes", in: bytes, unit: "bytes") { limits.maxTotalBytes = value }
        if let value = reader.int("maxDocumentsPerFile", in: 1...1_000_000) { limits.maxDocumentsPerFile = value }
        if let value = reader.int("maxNodesPerDocument", in: 16...100_000_000) { limits.maxNodesPerDocument = value }
        if let value = reader.int("maxNodesPerFile", in: 16...100_000_000) { limits.maxNodesPerFile = value }
        if let value = reader.int("maxDepth", in: 4...10_000) { limits.maxDepth = value }
    }

    /// A path value; relative paths are taken from the configuration file's folder.
    func path(_ reader: MappingReader, _ key: String) -> String? {
        guard let written = reader.string(key) else { return nil }
        if written.value.isEmpty {
            context.error(at: written.position, field: join(reader.path, key), "the path is empty; give a file or folder, or remove the key")
            return nil
        }
        if written.value.hasPrefix("/") { return written.value }
        return base.appendingPathComponent(written.value).standardizedFileURL.path
    }

    /// A string or number scalar's text (`portRange: 20000-29999` is a string, `8080` a number).
    func scalarText(_ reader: MappingReader, _ key: String) -> Located<String>? {
        guard let node = reader.node(key) else { return nil }
        guard case let .scalar(scalar) = node else {
            context.error(node, field: join(reader.path, key), "expected text such as 20000-29999, got \(describeType(node))")
            return nil
        }
        return Located(scalar.string, at: context.position(of: node))
    }

    func duration(_ reader: MappingReader, _ key: String, minimum: Duration) -> Duration? {
        guard let text = scalarText(reader, key) else { return nil }
        let field = join(reader.path, key)
        guard let value = parseDurationText(text.value) else {
            context.error(at: text.position, field: field, "`\(text.value)` is not a duration; write a number and a unit: 500ms, 30s, 5m, 1h or 90d")
            return nil
        }
        guard value >= minimum else {
            context.error(at: text.position, field: field, "`\(text.value)` is too short; use at least \(minimum)")
            return nil
        }
        return value
    }
}
