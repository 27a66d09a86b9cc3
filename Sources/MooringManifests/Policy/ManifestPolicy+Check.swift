extension ManifestPolicy {
    /// Problems with a ServingRuntime defined in the repository.
    func problems(repositoryRuntime runtime: ServingRuntime) -> [Diagnostic] {
        guard runtimes == .hostOnly else { return [] }
        return [Diagnostic(.error, at: runtime.namePosition, field: "metadata.name",
            message: "policy.runtimes is host-only on this host: ServingRuntimes from the repository are not allowed; "
                + "remove `\(runtime.metadata.name)` and name one of the host's runtimes (\(hostRuntimeList)), "
                + "or ask the host's operator to add it to \(runtimeDirectory ?? "policy.runtimeDirectory")")]
    }

    /// Problems with what a ModelDeployment asks for, each naming the policy key that
    /// forbids it.
    func problems(deployment: ModelDeployment) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func error(_ position: SourcePosition, _ field: String, _ message: String) {
            problems.append(Diagnostic(.error, at: position, field: field, message: message))
        }
        let mode = "policy.runtimes is \(runtimes.rawValue) on this host"
        if runtimes != .any {
            if let command = deployment.command {
                error(command.position, "spec.command",
                      "\(mode): a ModelDeployment may not set spec.command; name a ServingRuntime in spec.runtime (\(runtimeChoice))")
            }
            if let exec = deployment.healthExecPosition {
                error(exec, "spec.health.exec",
                      "\(mode): a ModelDeployment may not run an exec probe (it is a command); use an http or tcp probe, or the runtime's")
            }
        }
        if runtimes == .hostOnly {
            if deployment.runtime == nil {
                error(deployment.namePosition, "spec.runtime",
                      "\(mode): ModelDeployment `\(deployment.metadata.name)` must name one of the host's ServingRuntimes in spec.runtime (\(hostRuntimeList))")
            }
            if let workingDir = deployment.workingDir {
                error(workingDir.position, "spec.workingDir",
                      "\(mode): a ModelDeployment may not set spec.workingDir; the host's runtime decides it")
            }
            for key in deployment.env.keys.sorted() where !allowedEnvKeys.contains(key) {
                let allowed = allowedEnvKeys.isEmpty ? "none are allowed" : "allowed: \(allowedEnvKeys.sorted().joined(separator: ", "))"
                error(deployment.envPositions[key] ?? deployment.position, "spec.env.\(key)",
                      "policy.allowedEnvKeys on this host does not allow `\(key)` (\(allowed)); remove it or ask the host's operator to allow it")
            }
        }
        if let maxReplicas {
            let replicas = deployment.replicas ?? ManifestDefaults.replicas
            if replicas > maxReplicas {
                error(deployment.replicasPosition ?? deployment.namePosition, "spec.replicas",
                      "policy.maxReplicas on this host is \(maxReplicas); ask for at most \(maxReplicas) replicas")
            }
        }
        if let allowedModelSchemes, let uri = deployment.model.uri {
            let scheme = ManifestPolicy.modelScheme(of: uri.value)
            if !allowedModelSchemes.contains(scheme) {
                let what = scheme == "repository" ? "model paths inside the repository" : "`\(scheme)://` model URIs"
                error(uri.position, "spec.model.uri",
                      "policy.allowedModelSchemes on this host does not allow \(what) (allowed: \(allowedModelSchemes.sorted().joined(separator: ", ")))")
            }
        }
        return problems
    }

    /// The runtimes a deployment may name under this policy, for messages.
    private var runtimeChoice: String {
        runtimes == .hostOnly ? "the host's: \(hostRuntimeList)" : "defined in the repository"
    }

    private var hostRuntimeList: String {
        hostRuntimes.isEmpty ? "the host defines none" : hostRuntimes.keys.sorted().joined(separator: ", ")
    }
}
