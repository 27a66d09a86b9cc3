import Foundation

extension ManifestPolicy {
    /// Reads the ServingRuntimes of the host's runtime directory (`policy.runtimeDirectory`):
    /// every `*.yaml`/`*.yml` file under it, decoded like a manifest. Anything that is not a
    /// valid ServingRuntime, or a name defined twice, is an error positioned in its file;
    /// the caller refuses the whole configuration then.
    public static func loadHostRuntimes(directory: URL, limits: ManifestLimits = .default,
                                        hostVariables: Set<String>? = nil) throws -> (runtimes: [String: ServingRuntime], diagnostics: [Diagnostic]) {
        let files = try ManifestFile.load(directory: directory, displayPrefix: directory.standardizedFileURL.path, limits: limits)
        var runtimes: [String: ServingRuntime] = [:]
        var diagnostics: [Diagnostic] = []
        for file in files {
            if file.isSymlink {
                diagnostics.append(file.symlinkDiagnostic())
                continue
            }
            let decoded = file.decode(limits: limits, hostVariables: hostVariables)
            diagnostics += decoded.diagnostics
            for document in decoded.documents {
                switch document {
                case let .deployment(deployment):
                    diagnostics.append(Diagnostic(.error, at: deployment.namePosition, field: "kind",
                        message: "the host's runtime directory holds ServingRuntimes only; ModelDeployment `\(deployment.metadata.name)` belongs in the repository"))
                case let .runtime(runtime):
                    let name = runtime.metadata.name
                    if let first = runtimes[name] {
                        diagnostics.append(Diagnostic(.error, at: runtime.namePosition, field: "metadata.name",
                            message: "ServingRuntime `\(name)` is already defined at \(first.namePosition); rename one"))
                    } else {
                        runtimes[name] = runtime
                    }
                }
            }
        }
        return (runtimes, diagnostics.sortedByPosition())
    }
}
