/// Checks on stable endpoints that need the whole revision: one port, one deployment.
enum EndpointRules {
    /// A diagnostic for every deployment whose `spec.endpoint.port` an earlier one (in
    /// file order) already uses. Ports are compared alone, whatever the addresses: a
    /// port on `0.0.0.0` and the same port on `127.0.0.1` cannot both be bound.
    static func portConflicts(in deployments: [ModelDeployment]) -> [Diagnostic] {
        var first: [Int: (name: String, position: SourcePosition)] = [:]
        var problems: [Diagnostic] = []
        for deployment in deployments {
            guard let port = deployment.endpoint?.port else { continue }
            if let owner = first[port.value] {
                problems.append(Diagnostic(.error, at: port.position, field: "spec.endpoint.port",
                    message: "port \(port.value) is already the endpoint of ModelDeployment `\(owner.name)` (\(owner.position)); stable endpoint ports are unique across the repository, pick another"))
            } else {
                first[port.value] = (deployment.metadata.name, port.position)
            }
        }
        return problems
    }
}

extension ManifestPolicy {
    /// `policy.endpointPortRanges`: when the host lists ranges, an endpoint port must be in one.
    func endpointProblems(deployment: ModelDeployment) -> [Diagnostic] {
        guard !endpointPortRanges.isEmpty, let port = deployment.endpoint?.port else { return [] }
        guard !endpointPortRanges.contains(where: { $0.contains(port.value) }) else { return [] }
        let ranges = endpointPortRanges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ", ")
        return [Diagnostic(.error, at: port.position, field: "spec.endpoint.port",
            message: "policy.endpointPortRanges on this host does not allow port \(port.value) (allowed: \(ranges)); pick a port in one of them or ask the host's operator to widen the ranges")]
    }
}
