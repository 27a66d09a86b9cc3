import Foundation

/// Merges a deployment with its runtime (deployment fields win, field by field; `env`
/// key by key), applies defaults, and checks what only the merged spec can tell.
struct DeploymentResolver {
    let deployment: ModelDeployment
    let runtime: ServingRuntime?
    let repository: (any RepositoryView)?

    func resolve() -> (ResolvedDeployment?, [Diagnostic]) {
        var problems: [Diagnostic] = []
        let name = deployment.metadata.name
        func error(_ position: SourcePosition, _ field: String, _ message: String) {
            problems.append(Diagnostic(.error, at: position, field: field, message: message))
        }

        guard let command = deployment.command ?? runtime?.command else {
            let hint = deployment.runtime == nil
                ? "set spec.command, or name a ServingRuntime in spec.runtime"
                : "runtime `\(deployment.runtime?.value ?? "")` has no command either; set spec.command here or in the runtime"
            error(deployment.namePosition, "spec.command", "ModelDeployment `\(name)` has no command to run; \(hint)")
            return (nil, problems)
        }

        var model: ResolvedDeployment.Model?
        if let uri = deployment.model.uri {
            let insecure = deployment.model.insecure?.value == true
            let (modelProblems, contentID): ([Diagnostic], String?)
            switch ModelURI.parse(uri.value, insecure: insecure) {
            case let .failure(problem):
                (modelProblems, contentID) = ([Diagnostic(.error, at: uri.position, field: "spec.model.uri", message: problem.message)], nil)
            case let .success(location) where location.isRemote:
                (modelProblems, contentID) = (checkRemoteModel(uri, location), nil)
            case .success:
                (modelProblems, contentID) = checkModel(uri: uri, sha256: deployment.model.sha256)
            }
            problems += modelProblems
            model = ResolvedDeployment.Model(uri: uri.value, sha256: deployment.model.sha256?.value.lowercased(),
                                             version: deployment.model.version ?? "", contentID: contentID,
                                             insecure: insecure ? true : nil,
                                             downloadDeadlineSeconds: deployment.model.downloadDeadlineSeconds)
        }

        let workingDir = deployment.workingDir ?? runtime?.workingDir
        if let workingDir { problems += checkWorkingDir(workingDir) }

        let usesModelPath = (command.value + Array((runtime?.env ?? [:]).values) + Array(deployment.env.values))
            .contains { $0.contains("{{model.path}}") || $0.contains("{{ model.path }}") }
        if usesModelPath && model == nil {
            error(command.position, "spec.command", "the command uses {{model.path}} but the deployment has no spec.model.uri; add one")
        }

        let h = deployment.health, rh = runtime?.health ?? HealthFragment()
        let health = ResolvedDeployment.Health(
            probe: h.action ?? rh.action ?? .tcp(port: nil),
            startupTimeoutSeconds: h.startupTimeoutSeconds ?? rh.startupTimeoutSeconds ?? ManifestDefaults.startupTimeoutSeconds,
            periodSeconds: h.periodSeconds ?? rh.periodSeconds ?? ManifestDefaults.periodSeconds,
            timeoutSeconds: h.timeoutSeconds ?? rh.timeoutSeconds ?? ManifestDefaults.timeoutSeconds,
            failureThreshold: h.failureThreshold ?? rh.failureThreshold ?? ManifestDefaults.failureThreshold,
            successThreshold: h.successThreshold ?? rh.successThreshold ?? ManifestDefaults.successThreshold
        )
        let r = deployment.restart, rr = runtime?.restart ?? RestartFragment()
        let restart = ResolvedDeployment.Restart(
            policy: r.policy ?? rr.policy ?? ManifestDefaults.restartPolicy,
            backoffInitialSeconds: r.backoff.initialSeconds ?? rr.backoff.initialSeconds ?? ManifestDefaults.backoffInitialSeconds,
            backoffMaxSeconds: r.backoff.maxSeconds ?? rr.backoff.maxSeconds ?? ManifestDefaults.backoffMaxSeconds,
            backoffResetAfterSeconds: r.backoff.resetAfterSeconds ?? rr.backoff.resetAfterSeconds ?? ManifestDefaults.backoffResetAfterSeconds
        )
        if restart.backoffMaxSeconds < restart.backoffInitialSeconds {
            error(deployment.position, "spec.restart.backoff",
                  "merged with runtime defaults, maxSeconds (\(formatNumber(restart.backoffMaxSeconds))) is below initialSeconds (\(formatNumber(restart.backoffInitialSeconds))); set both")
        }
        let ro = deployment.rollout
        let rollout = ResolvedDeployment.Rollout(
            strategy: ro.strategy ?? ManifestDefaults.strategy,
            minHealthySeconds: ro.minHealthySeconds ?? ManifestDefaults.minHealthySeconds,
            progressDeadlineSeconds: ro.progressDeadlineSeconds ?? ManifestDefaults.progressDeadlineSeconds,
            autoRollback: ro.autoRollback ?? ManifestDefaults.autoRollback,
            canary: ro.canary.map { CanaryRollout(steps: $0.steps, analysis: ro.analysis?.resolved ?? CanaryAnalysis()) }
        )

        var env = runtime?.env ?? [:]
        env.merge(deployment.env) { _, mine in mine }

        var resolved = ResolvedDeployment(
            name: name,
            labels: deployment.metadata.labels,
            model: model,
            runtime: deployment.runtime?.value,
            command: command.value,
            env: env,
            workingDir: workingDir?.value ?? ManifestDefaults.workingDir,
            replicas: deployment.replicas ?? ManifestDefaults.replicas,
            health: health,
            rollout: rollout,
            restart: restart,
            gracePeriodSeconds: deployment.stop.gracePeriodSeconds ?? runtime?.stop.gracePeriodSeconds ?? ManifestDefaults.gracePeriodSeconds,
            suspend: deployment.suspend ?? ManifestDefaults.suspend
        )
        resolved.endpoint = deployment.endpoint?.resolved
        let (tests, testProblems) = resolveTests()
        problems += testProblems
        resolved.tests = tests.isEmpty ? nil : tests
        let (ports, portProblems) = resolvePorts(command: command, health: health, workingDir: workingDir)
        resolved.ports = ports
        problems += portProblems
        return (problems.hasErrors ? nil : resolved, problems)
    }

    /// Checks the model path (and its `sha256`) against the repository and returns, with
    /// the problems found, the content identity of the path it resolves to.
    /// (The path's form — not empty, relative, no `..` — was checked by `ModelURI.parse`.)
    private func checkModel(uri: Located<String>, sha256: Located<String>?) -> ([Diagnostic], contentID: String?) {
        let field = "spec.model.uri"
        func problem(_ message: String) -> ([Diagnostic], contentID: String?) {
            ([Diagnostic(.error, at: uri.position, field: field, message: message)], nil)
        }
        let path = uri.value
        guard let repository else { return ([], nil) }
        switch repository.resolve(path) {
        case .escapes:
            return problem("`\(path)` leads outside the repository through a symbolic link; model files must live inside it")
        case let .missing(missing):
            return problem("`\(path)` does not exist in the repository (`\(missing)` is missing); commit the model file or fix the path")
        case let .resolved(real, entry):
            let contentID: String?
            do {
                contentID = try repository.contentID(at: real)
            } catch {
                return problem("cannot read `\(path)` to identify its content (\(error)); the revision cannot be applied until it can be read")
            }
            if entry == .directory {
                if sha256 != nil {
                    return ([Diagnostic(.error, at: sha256?.position ?? uri.position, field: "spec.model.sha256",
                                        message: "`\(path)` is a directory; sha256 can only be checked for a single file")], contentID)
                }
                return ([], contentID)
            }
            if let sha256, isSHA256Hex(sha256.value) {
                let expected = sha256.value.lowercased()
                let actual: String?
                do {
                    actual = try repository.sha256(at: real)
                } catch {
                    return ([Diagnostic(.error, at: sha256.position, field: "spec.model.sha256",
                                        message: "cannot read `\(path)` to check its SHA-256 (\(error)); make the file readable")], contentID)
                }
                if let actual, actual != expected {
                    return ([Diagnostic(.error, at: sha256.position, field: "spec.model.sha256",
                                        message: "`\(path)` has SHA-256 \(actual), not \(expected); update the digest or the file")], contentID)
                }
            }
            return ([], contentID)
        }
    }

    /// What only the whole `spec.model` tells of a remote URI: a single web file needs its
    /// digest (nothing else pins its bytes), a directory cannot have one.
    private func checkRemoteModel(_ uri: Located<String>, _ location: ModelURI) -> [Diagnostic] {
        let sha256 = deployment.model.sha256
        if case .web = location, sha256 == nil {
            return [Diagnostic(.error, at: uri.position, field: "spec.model.sha256",
                               message: "an http(s):// model needs `sha256`: nothing else pins the bytes a URL serves; add `sha256: <64 hex>` next to the URI (`curl -sL URL | sha256sum` prints it)")]
        }
        if location.isDirectory, let sha256 {
            return [Diagnostic(.error, at: sha256.position, field: "spec.model.sha256",
                               message: "`\(uri.value)` is a directory; sha256 can only be checked for a single file — remove it (a manifest of per-file digests is recorded on first download)")]
        }
        if let insecure = deployment.model.insecure, insecure.value, !location.isPlainHTTP {
            return [Diagnostic(.warning, at: insecure.position, field: "spec.model.insecure",
                               message: "`insecure: true` only matters for http:// URIs; remove it")]
        }
        return []
    }

    private func checkWorkingDir(_ dir: Located<String>) -> [Diagnostic] {
        var path = dir.value
        let prefix = "{{revision.dir}}"
        if path.hasPrefix(prefix) {
            path = String(path.dropFirst(prefix.count))
            while path.hasPrefix("/") { path.removeFirst() }
        } else if path.hasPrefix("/") {
            return [Diagnostic(.error, at: dir.position, field: "spec.workingDir",
                               message: "`\(dir.value)` is an absolute path; give a path inside the repository (relative to {{revision.dir}})")]
        }
        if path.split(separator: "/").contains("..") {
            return [Diagnostic(.error, at: dir.position, field: "spec.workingDir",
                               message: "`\(dir.value)` uses `..`; the working directory must stay inside the repository")]
        }
        if path.contains("{{") || path.isEmpty { return [] }
        guard let repository else { return [] }
        switch repository.resolve(path) {
        case .escapes:
            return [Diagnostic(.error, at: dir.position, field: "spec.workingDir",
                               message: "`\(dir.value)` leads outside the repository through a symbolic link")]
        case .missing:
            return [Diagnostic(.error, at: dir.position, field: "spec.workingDir",
                               message: "`\(dir.value)` does not exist in the repository; create it or fix the path")]
        case let .resolved(_, entry):
            if entry != .directory {
                return [Diagnostic(.error, at: dir.position, field: "spec.workingDir",
                                   message: "`\(dir.value)` is not a directory")]
            }
            return []
        }
    }
}
