extension DeploymentResolver {
    /// The named ports of the merged spec — the runtime's and the deployment's together,
    /// sorted; nil when none — and a problem for every `{{ports.NAME}}` the command,
    /// environment, working directory or health check uses that neither declares.
    func resolvePorts(command: Located<[String]>, health: ResolvedDeployment.Health,
                      workingDir: Located<String>?) -> ([String]?, [Diagnostic]) {
        let declared = Set((runtime?.ports ?? []).map(\.value) + deployment.ports.map(\.value))
        var problems: [Diagnostic] = []
        var reported: Set<String> = []
        func check(_ texts: [String], at position: SourcePosition, field: String) {
            for text in texts {
                for name in NamedPorts.references(in: text) where !declared.contains(name) && NamedPorts.problem(name) == nil {
                    guard reported.insert("\(field) \(name)").inserted else { continue }
                    var message = "`{{ports.\(name)}}` names no port in spec.ports"
                    if let suggestion = closestMatch(to: name, in: Array(declared)) {
                        message += "; did you mean `{{ports.\(suggestion)}}`?"
                    } else {
                        message += "; add `ports: [\(name)]` to the deployment or its runtime"
                    }
                    problems.append(Diagnostic(.error, at: position, field: field, message: message))
                }
            }
        }
        check(command.value, at: command.position, field: "spec.command")
        for (key, value) in (runtime?.env ?? [:]).sorted(by: { $0.key < $1.key }) where deployment.env[key] == nil {
            check([value], at: runtime?.position ?? deployment.position, field: "spec.env.\(key)")
        }
        for (key, value) in deployment.env.sorted(by: { $0.key < $1.key }) {
            check([value], at: deployment.envPositions[key] ?? deployment.position, field: "spec.env.\(key)")
        }
        if let workingDir { check([workingDir.value], at: workingDir.position, field: "spec.workingDir") }
        switch health.probe {
        case let .http(path, _, _): check([path], at: deployment.position, field: "spec.health.http.path")
        case let .exec(command): check(command, at: deployment.healthExecPosition ?? deployment.position, field: "spec.health.exec.command")
        case .tcp: break
        }
        if declared.count > NamedPorts.maximumCount {
            problems.append(Diagnostic(.error, at: deployment.position, field: "spec.ports",
                                       message: "with its runtime's, \(declared.count) named ports; at most \(NamedPorts.maximumCount) are allowed per deployment"))
        }
        return (declared.isEmpty ? nil : declared.sorted(), problems)
    }
}
