extension DocumentDecoder {
    /// `spec.ports`: a list of port names (``NamedPorts``), each valid and given once.
    func decodePorts(_ spec: MappingReader) -> [Located<String>] {
        guard let list = spec.stringList("ports") else { return [] }
        var seen: Set<String> = []
        var ports: [Located<String>] = []
        for (index, name) in list.enumerated() {
            let field = "spec.ports[\(index)]"
            if let problem = NamedPorts.problem(name.value) {
                context.error(at: name.position, field: field, problem)
            } else if !seen.insert(name.value).inserted {
                context.error(at: name.position, field: field, "port `\(name.value)` is listed twice; list each name once")
            } else {
                ports.append(name)
            }
        }
        if ports.count > NamedPorts.maximumCount {
            context.error(at: spec.position("ports"), field: "spec.ports",
                          "\(ports.count) named ports; at most \(NamedPorts.maximumCount) are allowed per deployment")
        }
        return ports
    }
}
