import Foundation

/// Every manifest at one revision, decoded, checked as a whole and resolved.
///
/// A revision is accepted only when `diagnostics` holds no error: then `deployments` is
/// the complete desired state. With any error the revision is rejected whole.
public struct ManifestSet: Sendable {
    /// Resolved deployments, sorted by name (only meaningful when `isValid`).
    public var deployments: [ResolvedDeployment]
    /// Runtimes by name.
    public var runtimes: [String: ServingRuntime]
    /// Where each deployment is defined, by name.
    public var origins: [String: SourcePosition]
    /// Every problem found, sorted by position.
    public var diagnostics: [Diagnostic]
    /// How many manifest files were read.
    public var fileCount: Int

    /// Whether the revision can be applied.
    public var isValid: Bool { !diagnostics.hasErrors }

    /// Decodes and validates `files` as one revision. With a `repository`, model paths
    /// and working directories are checked against it (existence, escape, `sha256`).
    /// Files that break `limits` are rejected with a diagnostic each; once the files
    /// together pass `maxTotalBytes`, the rest are not read. With a `cache`, files with a
    /// ``ManifestFile/contentID`` it has seen are not decoded again.
    ///
    /// `policy` is what the host allows (``ManifestPolicy``); what breaks it is an error
    /// naming the policy key. `hostVariables` are the host's `{{host.NAME}}` names; nil
    /// when unknown (`validate` without a host configuration): such references are then
    /// accepted with a warning that they are unchecked.
    public static func load(files: [ManifestFile], repository: (any RepositoryView)? = nil,
                            limits: ManifestLimits = .default, policy: ManifestPolicy = .trusting,
                            hostVariables: Set<String>? = nil, cache: ManifestDecodeCache? = nil) -> ManifestSet {
        var diagnostics: [Diagnostic] = []
        var deployments: [ModelDeployment] = []
        var runtimes: [String: ServingRuntime] = [:]
        var seenDeployments: [String: SourcePosition] = [:]
        var totalBytes = 0
        var kept: [ManifestDecodeCache.Key: DecodedFile] = [:]
        defer { cache?.keep(kept) }

        for file in files {
            if file.isSymlink {
                diagnostics.append(file.symlinkDiagnostic())
                continue
            }
            // A file over the per-file limit is not read (decoding says so) and not counted.
            if file.byteCount <= limits.maxFileBytes { totalBytes += file.byteCount }
            if totalBytes > limits.maxTotalBytes {
                let crossing = file.byteCount - (totalBytes - limits.maxTotalBytes)
                let (line, column) = file.contents.withUnsafeBytes { textPosition(ofByte: crossing, in: $0) }
                diagnostics.append(Diagnostic(.error, at: SourcePosition(file: file.path, line: line, column: column), field: "",
                    message: "the manifests pass \(limits.maxTotalBytes) bytes in all (the limit) in this file; the files after it are not read. Move what is not a manifest out of the manifests path, or split the repository"))
                break
            }
            let decoded = cache?.decoded(file, limits: limits, hostVariables: hostVariables, into: &kept)
                ?? file.decode(limits: limits, hostVariables: hostVariables)
            diagnostics += decoded.diagnostics
            for document in decoded.documents {
                switch document {
                case let .deployment(deployment):
                    diagnostics += policy.problems(deployment: deployment)
                    diagnostics += policy.endpointProblems(deployment: deployment)
                    let name = deployment.metadata.name
                    if let first = seenDeployments[name] {
                        diagnostics.append(Diagnostic(.error, at: deployment.namePosition, field: "metadata.name",
                            message: "ModelDeployment `\(name)` is already defined at \(first); names are unique across the repository, rename one"))
                    } else {
                        seenDeployments[name] = deployment.namePosition
                        deployments.append(deployment)
                    }
                case let .runtime(runtime):
                    diagnostics += policy.problems(repositoryRuntime: runtime)
                    let name = runtime.metadata.name
                    if let first = runtimes[name] {
                        diagnostics.append(Diagnostic(.error, at: runtime.namePosition, field: "metadata.name",
                            message: "ServingRuntime `\(name)` is already defined at \(first.namePosition); names are unique across the repository, rename one"))
                    } else {
                        runtimes[name] = runtime
                    }
                }
            }
        }

        diagnostics += EndpointRules.portConflicts(in: deployments)

        // Under `host-only`, deployments build on the host's runtimes and nothing else.
        let usable = policy.runtimes == .hostOnly ? policy.hostRuntimes : runtimes
        var resolved: [ResolvedDeployment] = []
        for deployment in deployments {
            let runtime = deployment.runtime.flatMap { usable[$0.value] }
            if let reference = deployment.runtime, runtime == nil {
                var message = policy.runtimes == .hostOnly
                    ? "policy.runtimes is host-only on this host: no host ServingRuntime named `\(reference.value)`"
                    : "no ServingRuntime named `\(reference.value)`"
                if let suggestion = closestMatch(to: reference.value, in: Array(usable.keys)) {
                    message += "; did you mean `\(suggestion)`?"
                } else if policy.runtimes == .hostOnly {
                    message += usable.isEmpty ? "; the host defines none (\(policy.runtimeDirectory ?? "policy.runtimeDirectory"))"
                        : "; the host's runtimes: \(usable.keys.sorted().joined(separator: ", "))"
                } else if runtimes.isEmpty {
                    message += "; define one (kind: ServingRuntime) or give spec.command instead"
                } else {
                    message += "; defined runtimes: \(runtimes.keys.sorted().joined(separator: ", "))"
                }
                diagnostics.append(Diagnostic(.error, at: reference.position, field: "spec.runtime", message: message))
                continue
            }
            let (result, problems) = DeploymentResolver(deployment: deployment, runtime: runtime, repository: repository).resolve()
            diagnostics += problems
            if let result { resolved.append(result) }
        }

        return ManifestSet(
            deployments: resolved.sorted { $0.name < $1.name },
            runtimes: runtimes,
            origins: seenDeployments,
            diagnostics: diagnostics.sortedByPosition(),
            fileCount: files.count
        )
    }

    /// Loads every manifest under `directory` on disk. The repository for path checks is
    /// the nearest enclosing Git work tree, else the current directory.
    public static func load(directory: URL, repositoryRoot: URL? = nil, limits: ManifestLimits = .default,
                            policy: ManifestPolicy = .trusting, hostVariables: Set<String>? = nil) throws -> ManifestSet {
        let root = repositoryRoot ?? FileSystemRepository.enclosingRoot(
            of: directory, fallback: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let rootPath = root.standardizedFileURL.resolvingSymlinksInPath().path
        let dirPath = directory.standardizedFileURL.resolvingSymlinksInPath().path
        let prefix = dirPath.hasPrefix(rootPath + "/") ? String(dirPath.dropFirst(rootPath.count + 1)) : directory.lastPathComponent
        let files = try ManifestFile.load(directory: directory, displayPrefix: prefix, limits: limits)
        return load(files: files, repository: FileSystemRepository(root: root), limits: limits,
                    policy: policy, hostVariables: hostVariables)
    }
}
