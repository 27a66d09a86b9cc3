/// Why `name` is not an RFC 1123 DNS label, or `nil` when it is one.
func dnsLabelProblem(_ name: String) -> String? {
    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
    let hint = "names are DNS labels: 1 to 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
    if name.isEmpty { return "the name is empty; \(hint)" }
    if name.count > 63 { return "`\(name)` is \(name.count) characters long; \(hint)" }
    if let bad = name.first(where: { !allowed.contains($0) }) {
        return "`\(name)` contains `\(bad)`; \(hint)"
    }
    if name.hasPrefix("-") || name.hasSuffix("-") { return "`\(name)` starts or ends with `-`; \(hint)" }
    return nil
}

/// Whether `key` is a Kubernetes-style label key (`name` or `prefix/name`).
func isValidLabelKey(_ key: String) -> Bool {
    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let name = parts.last, !name.isEmpty, name.count <= 63 else { return false }
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    return name.allSatisfy { allowed.contains($0) } && parts.first.map { !$0.isEmpty } ?? false
}

/// Whether `name` can be an environment variable name.
func isValidEnvName(_ name: String) -> Bool {
    guard let first = name.first, !first.isNumber else { return false }
    return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
}

/// Whether `text` is 64 hexadecimal characters.
func isSHA256Hex(_ text: String) -> Bool {
    text.count == 64 && text.allSatisfy(\.isHexDigit)
}
