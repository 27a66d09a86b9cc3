/// Named extra ports (`spec.ports: [grpc, metrics]`): besides its main `{{port}}`, every
/// replica gets one more port from the host's range per name, reached in templates as
/// `{{ports.NAME}}` and in the environment as `PORT_NAME` (upper case, `-` → `_`).
///
/// Names follow Kubernetes' port names (IANA service names): 1 to 15 lowercase letters,
/// digits and `-`, starting with a letter, not ending with `-`, no `--`.
public enum NamedPorts {
    /// The prefix that marks a named port reference: `ports.`.
    public static let prefix = "ports."

    /// At most this many named ports per deployment (runtime and deployment together).
    public static let maximumCount = 8

    /// The port name a reference names (`ports.grpc` → `grpc`), or nil.
    public static func name(in reference: String) -> String? {
        guard reference.hasPrefix(prefix) else { return nil }
        return String(reference.dropFirst(prefix.count))
    }

    /// Why `name` cannot name a port, or nil when it can.
    public static func problem(_ name: String) -> String? {
        let hint = "port names are 1 to 15 lowercase letters, digits and `-`, starting with a letter (such as `grpc` or `metrics`)"
        if name.isEmpty { return "the port name is empty; \(hint)" }
        if name.count > 15 { return "`\(name)` is \(name.count) characters long; \(hint)" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        if let bad = name.first(where: { !allowed.contains($0) }) { return "`\(name)` contains `\(bad)`; \(hint)" }
        if name.first?.isLetter != true { return "`\(name)` does not start with a letter; \(hint)" }
        if name.hasSuffix("-") || name.contains("--") { return "`\(name)` ends with `-` or holds `--`; \(hint)" }
        return nil
    }

    /// The environment variable carrying port `name`: `grpc` → `PORT_GRPC`, `admin-api` → `PORT_ADMIN_API`.
    public static func environmentName(_ name: String) -> String {
        "PORT_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Every `{{ports.NAME}}` name `text` refers to.
    static func references(in text: String) -> [String] {
        templateReferences(in: text).compactMap { $0.closed ? name(in: $0.name) : nil }
    }
}
