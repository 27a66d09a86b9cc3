/// A manifest document decoded from YAML: one of the kinds Mooring knows.
public enum ManifestDocument: Hashable, Sendable {
    case deployment(ModelDeployment)
    case runtime(ServingRuntime)
}

/// Turns one YAML document (a ``YAMLNode``) into a `ManifestDocument`, reporting every
/// problem it finds to the context.
struct DocumentDecoder {
    let context: DecodingContext

    static let topLevelKeys = ["apiVersion", "kind", "metadata", "spec"]
    static let metadataKeys = ["name", "labels", "annotations"]
    static let deploymentSpecKeys = [
        "model", "runtime", "command", "env", "workingDir", "replicas",
        "health", "rollout", "restart", "stop", "suspend", "tests", "ports",
        "endpoint",
    ]
    static let runtimeSpecKeys = ["command", "env", "workingDir", "health", "restart", "stop", "ports"]
    static let modelKeys = ["uri", "sha256", "version", "insecure", "downloadDeadlineSeconds"]
    static let healthKeys = [
        "http", "tcp", "exec", "startupTimeoutSeconds", "periodSeconds", "timeoutSeconds",
        "failureThreshold", "successThreshold",
    ]
    static let rolloutKeys = ["strategy", "minHealthySeconds", "progressDeadlineSeconds", "autoRollback", "canary", "analysis"]
    static let restartKeys = ["policy", "backoff"]
    static let backoffKeys = ["initialSeconds", "maxSeconds", "resetAfterSeconds"]
    static let stopKeys = ["gracePeriodSeconds"]

    func decode(_ root: YAMLNode) -> ManifestDocument? {
        guard let top = MappingReader(root, path: "", known: Self.topLevelKeys, context: context) else { return nil }
        let documentPosition = context.position(of: root)

        var kindOK = true
        if let apiVersion = top.string("apiVersion") {
            if apiVersion.value != mooringAPIVersion {
                context.error(at: apiVersion.position, field: "apiVersion",
                              "unsupported apiVersion `\(apiVersion.value)`; use `\(mooringAPIVersion)`")
            }
        } else if !top.has("apiVersion") {
            top.missing("apiVersion", hint: "set it to `\(mooringAPIVersion)`")
        }

        var kind: ManifestKind?
        if let written = top.string("kind") {
            kind = ManifestKind(rawValue: written.value)
            if kind == nil {
                let known = ManifestKind.allCases.map(\.rawValue)
                var message = "unknown kind `\(written.value)`"
                if let suggestion = closestMatch(to: written.value, in: known) { message += "; did you mean `\(suggestion)`?" }
                else { message += "; use one of \(known.joined(separator: ", "))" }
                context.error(at: written.position, field: "kind", message)
                kindOK = false
            }
        } else {
            if !top.has("kind") {
                top.missing("kind", hint: "use `ModelDeployment` or `ServingRuntime`")
            }
            kindOK = false
        }

        let (metadata, namePosition) = decodeMetadata(top)

        guard kindOK, let kind else { return nil }
        let specNode = top.node("spec")
        if specNode == nil {
            top.missing("spec", hint: kind == .modelDeployment
                ? "a ModelDeployment needs at least `spec.model` or `spec.command`"
                : "a ServingRuntime needs at least `spec.command`")
        }
        guard let metadata, let namePosition else { return nil }

        switch kind {
        case .modelDeployment:
            var deployment = ModelDeployment(metadata: metadata, position: documentPosition, namePosition: namePosition)
            if let specNode,
               let spec = MappingReader(specNode, path: "spec", known: Self.deploymentSpecKeys, context: context) {
                decodeDeploymentSpec(spec, into: &deployment)
            }
            return .deployment(deployment)
        case .servingRuntime:
            var runtime = ServingRuntime(metadata: metadata, position: documentPosition, namePosition: namePosition)
            if let specNode,
               let spec = MappingReader(specNode, path: "spec", known: Self.runtimeSpecKeys, context: context) {
                runtime.command = decodeCommand(spec)
                runtime.env = decodeEnv(spec)
                runtime.workingDir = spec.string("workingDir", templated: true)
                runtime.health = decodeHealth(spec)
                runtime.restart = decodeRestart(spec)
                runtime.stop = decodeStop(spec)
                runtime.ports = decodePorts(spec)
            }
            return .runtime(runtime)
        }
    }

    // MARK: metadata

    private func decodeMetadata(_ top: MappingReader) -> (ObjectMeta?, SourcePosition?) {
        guard top.has("metadata") else {
            top.missing("metadata", hint: "add `metadata: {name: <dns-label>}`")
            return (nil, nil)
        }
        guard let meta = top.mapping("metadata", known: Self.metadataKeys) else { return (nil, nil) }
        var labels: [String: String] = [:]
        for (key, value) in meta.stringMap("labels") ?? [:] {
            if !isValidLabelKey(key) {
                context.error(at: value.position, field: "metadata.labels.\(key)",
                              "`\(key)` is not a valid label key; use letters, digits, `-`, `_`, `.` and an optional `prefix/`")
            }
            labels[key] = value.value
        }
        _ = meta.stringMap("annotations")
        guard let name = meta.string("name") else {
            if !meta.has("name") { meta.missing("name", hint: "name the object with a DNS label such as `iris`") }
            return (nil, nil)
        }
        if let problem = dnsLabelProblem(name.value) {
            context.error(at: name.position, field: "metadata.name", problem)
        }
        return (ObjectMeta(name: name.value, labels: labels), name.position)
    }

    // MARK: spec

    private func decodeDeploymentSpec(_ spec: MappingReader, into deployment: inout ModelDeployment) {
        if let model = spec.mapping("model", known: Self.modelKeys) {
            deployment.model.uri = model.string("uri")
            deployment.model.sha256 = model.string("sha256")
            deployment.model.version = model.string("version")?.value
            if let insecure = model.bool("insecure") {
                deployment.model.insecure = Located(insecure, at: model.position("insecure"))
            }
            deployment.model.downloadDeadlineSeconds = model.int("downloadDeadlineSeconds", in: ManifestDefaults.downloadDeadlineRange)
            if !model.has("uri") {
                model.missing("uri", hint: "give the model file's path inside the repository, such as `models/iris.json`, or an https://, s3://, hf:// or models:/ URI")
            }
            if let sha = deployment.model.sha256, !isSHA256Hex(sha.value) {
                context.error(at: sha.position, field: "spec.model.sha256",
                              "`\(sha.value)` is not a SHA-256 digest; give 64 hexadecimal characters (`sha256sum FILE` prints it)")
            }
        }
        deployment.runtime = spec.string("runtime")
        if let runtime = deployment.runtime, let problem = dnsLabelProblem(runtime.value) {
            context.error(at: runtime.position, field: "spec.runtime", problem)
        }
        deployment.command = decodeCommand(spec)
        deployment.env = decodeEnv(spec)
        deployment.envPositions = spec.valuePositions(in: "env")
        deployment.workingDir = spec.string("workingDir", templated: true)
        deployment.replicas = spec.int("replicas", in: ManifestDefaults.replicasRange)
        if spec.has("replicas") { deployment.replicasPosition = spec.position("replicas") }
        deployment.health = decodeHealth(spec)
        deployment.healthExecPosition = spec.valuePositions(in: "health")["exec"]
        deployment.rollout = decodeRollout(spec)
        deployment.restart = decodeRestart(spec)
        deployment.stop = decodeStop(spec)
        deployment.suspend = spec.bool("suspend")
        deployment.endpoint = decodeEndpoint(spec)
        deployment.tests = decodeTests(spec)
        deployment.ports = decodePorts(spec)
        checkCanary(deployment)
    }

    private func decodeCommand(_ spec: MappingReader) -> Located<[String]>? {
        guard let list = spec.stringList("command", templated: true) else { return nil }
        if list.isEmpty {
            context.error(at: spec.position("command"), field: "spec.command",
                          "the command is empty; give the program and its arguments, such as [\"python3\", \"server.py\"]")
            return nil
        }
        if list[0].value.trimmingCharacters(in: .whitespaces).isEmpty {
            context.error(at: list[0].position, field: "spec.command[0]", "the program name is empty")
        }
        return Located(list.map(\.value), at: spec.position("command"))
    }

    private func decodeEnv(_ spec: MappingReader) -> [String: String] {
        var env: [String: String] = [:]
        for (key, value) in spec.stringMap("env", templated: true) ?? [:] {
            if !isValidEnvName(key) {
                context.error(at: value.position, field: "spec.env.\(key)",
                              "`\(key)` is not a valid environment variable name; use letters, digits and `_`, not starting with a digit")
            }
            env[key] = value.value
        }
        return env
    }

    private func decodeHealth(_ spec: MappingReader) -> HealthFragment {
        var health = HealthFragment()
        guard let reader = spec.mapping("health", known: Self.healthKeys) else { return health }
        let probes = ["http", "tcp", "exec"].filter { reader.has($0) }
        if probes.count > 1 {
            context.error(at: reader.position(probes[1]), field: "spec.health.\(probes[1])",
                          "give one probe, not \(probes.joined(separator: " and ")); keep the one that tells best whether the model can serve")
        }
        if let http = reader.mapping("http", known: ["path", "port", "scheme"]) {
            let path = http.string("path", templated: true)
            if let path, !path.value.hasPrefix("/") {
                context.error(at: path.position, field: "spec.health.http.path",
                              "`\(path.value)` must start with `/`, such as `/healthz`")
            }
            let port = http.int("port", in: ManifestDefaults.portRange)
            var scheme = ManifestDefaults.httpScheme
            if let written = http.string("scheme") {
                if ["http", "https"].contains(written.value) { scheme = written.value } else {
                    context.error(at: written.position, field: "spec.health.http.scheme",
                                  "`\(written.value)` is not a valid value; use `http` or `https`")
                }
            }
            health.action = .http(path: path?.value ?? ManifestDefaults.httpPath, port: port, scheme: scheme)
        } else if reader.has("http") == false, let tcp = reader.mapping("tcp", known: ["port"]) {
            health.action = .tcp(port: tcp.int("port", in: ManifestDefaults.portRange))
        } else if reader.has("http") == false, reader.has("tcp") == false,
                  let exec = reader.mapping("exec", known: ["command"]) {
            if let command = exec.stringList("command", templated: true), !command.isEmpty {
                health.action = .exec(command: command.map(\.value))
            } else if !exec.has("command") {
                exec.missing("command", hint: "give the command to run, such as [\"curl\", \"-f\", \"http://127.0.0.1:{{port}}/\"]")
            } else {
                context.error(at: exec.position("command"), field: "spec.health.exec.command", "the command is empty")
            }
        }
        health.startupTimeoutSeconds = reader.int("startupTimeoutSeconds", in: ManifestDefaults.startupTimeoutRange, unit: "seconds")
        health.periodSeconds = reader.int("periodSeconds", in: ManifestDefaults.periodRange, unit: "seconds")
        health.timeoutSeconds = reader.int("timeoutSeconds", in: ManifestDefaults.timeoutRange, unit: "seconds")
        health.failureThreshold = reader.int("failureThreshold", in: ManifestDefaults.failureThresholdRange)
        health.successThreshold = reader.int("successThreshold", in: ManifestDefaults.successThresholdRange)
        return health
    }

    private func decodeRollout(_ spec: MappingReader) -> RolloutFragment {
        var rollout = RolloutFragment()
        guard let reader = spec.mapping("rollout", known: Self.rolloutKeys) else { return rollout }
        rollout.strategy = reader.enumeration("strategy", RolloutStrategy.self)
        rollout.minHealthySeconds = reader.int("minHealthySeconds", in: ManifestDefaults.minHealthyRange, unit: "seconds")
        rollout.progressDeadlineSeconds = reader.int("progressDeadlineSeconds", in: ManifestDefaults.progressDeadlineRange, unit: "seconds")
        rollout.autoRollback = reader.bool("autoRollback")
        if reader.has("strategy") { rollout.strategyPosition = reader.position("strategy") }
        rollout.canary = decodeCanary(reader)
        rollout.analysis = decodeAnalysis(reader)
        return rollout
    }

    private func decodeRestart(_ spec: MappingReader) -> RestartFragment {
        var restart = RestartFragment()
        guard let reader = spec.mapping("restart", known: Self.restartKeys) else { return restart }
        restart.policy = reader.enumeration("policy", RestartPolicy.self)
        if let backoff = reader.mapping("backoff", known: Self.backoffKeys) {
            let range = ManifestDefaults.backoffSecondsRange
            restart.backoff.initialSeconds = backoff.double("initialSeconds", in: range, unit: "seconds")
            restart.backoff.maxSeconds = backoff.double("maxSeconds", in: range, unit: "seconds")
            restart.backoff.resetAfterSeconds = backoff.double("resetAfterSeconds", in: range, unit: "seconds")
            if let initial = restart.backoff.initialSeconds, let max = restart.backoff.maxSeconds, max < initial {
                context.error(at: backoff.position("maxSeconds"), field: "spec.restart.backoff.maxSeconds",
                              "maxSeconds (\(formatNumber(max))) is below initialSeconds (\(formatNumber(initial))); raise it or lower initialSeconds")
            }
        }
        return restart
    }

    private func decodeStop(_ spec: MappingReader) -> StopFragment {
        var stop = StopFragment()
        guard let reader = spec.mapping("stop", known: Self.stopKeys) else { return stop }
        stop.gracePeriodSeconds = reader.int("gracePeriodSeconds", in: ManifestDefaults.gracePeriodRange, unit: "seconds")
        return stop
    }
}
