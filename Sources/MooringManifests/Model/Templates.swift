/// The template variables a command, environment value, working directory or HTTP probe
/// path may use, and the values they are rendered with.
public enum TemplateVariable: String, CaseIterable, Sendable {
    case port = "port"
    case modelPath = "model.path"
    case modelVersion = "model.version"
    case name = "name"
    case replica = "replica"
    case revision = "revision"
    case revisionDir = "revision.dir"
    /// The replica's own writable directory under the state directory (`scratch/…`),
    /// kept across restarts of its process and removed when the replica is stopped.
    case scratchDir = "scratch.dir"

    /// The environment variable that carries the same value into the process.
    public var environmentName: String {
        switch self {
        case .port: return "PORT"
        case .modelPath: return "MODEL_PATH"
        case .modelVersion: return "MODEL_VERSION"
        case .name: return "MOORING_DEPLOYMENT"
        case .replica: return "MOORING_REPLICA"
        case .revision: return "MOORING_REVISION"
        case .revisionDir: return "MOORING_REVISION_DIR"
        case .scratchDir: return "MOORING_SCRATCH_DIR"
        }
    }
}

/// Host variables: `{{host.NAME}}` expands to the value of `NAME` under `hostVars` in the
/// host configuration file. The names are the host's, never the repository's; validation
/// checks them against the host's names when it knows them.
public enum HostVariable {
    /// The prefix that marks a host variable: `host.`.
    public static let prefix = "host."

    /// The host variable a reference names (`host.venv` → `venv`), or nil.
    public static func name(in reference: String) -> String? {
        guard reference.hasPrefix(prefix) else { return nil }
        return String(reference.dropFirst(prefix.count))
    }

    /// Whether `name` can be a host variable: letters, digits, `_` and `-`, starting with a
    /// letter or `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

/// A `{{…}}` reference found in a string, with its offset (in Unicode scalars).
struct TemplateReference: Equatable {
    /// The name between the braces, trimmed.
    var name: String
    /// Offset of the opening `{{` in the string.
    var offset: Int
    /// Whether the reference was closed with `}}`.
    var closed: Bool
}

/// Finds every `{{ name }}` in `text`.
func templateReferences(in text: String) -> [TemplateReference] {
    let scalars = Array(text.unicodeScalars)
    var result: [TemplateReference] = []
    var i = 0
    while i + 1 < scalars.count {
        guard scalars[i] == "{", scalars[i + 1] == "{" else { i += 1; continue }
        var j = i + 2
        var closed = false
        while j + 1 < scalars.count {
            if scalars[j] == "}" && scalars[j + 1] == "}" { closed = true; break }
            j += 1
        }
        let end = closed ? j : scalars.count
        let inner = String(String.UnicodeScalarView(scalars[(i + 2)..<end]))
        result.append(TemplateReference(
            name: inner.trimmingCharacters(in: .whitespaces), offset: i, closed: closed))
        i = closed ? j + 2 : scalars.count
    }
    return result
}

/// Replaces every known `{{ name }}` in `text` with its value, every `{{host.NAME}}`
/// with `hostVariables[NAME]` and every `{{ports.NAME}}` with `ports[NAME]`; unknown ones
/// stay as written (validation has already rejected them).
public func renderTemplate(_ text: String, values: [TemplateVariable: String],
                           hostVariables: [String: String] = [:], ports: [String: Int] = [:]) -> String {
    let references = templateReferences(in: text)
    guard !references.isEmpty else { return text }
    let scalars = Array(text.unicodeScalars)
    var output = String.UnicodeScalarView()
    var cursor = 0
    for reference in references where reference.closed {
        let value: String
        if let variable = TemplateVariable(rawValue: reference.name), let known = values[variable] {
            value = known
        } else if let host = HostVariable.name(in: reference.name), let known = hostVariables[host] {
            value = known
        } else if let port = NamedPorts.name(in: reference.name), let known = ports[port] {
            value = String(known)
        } else {
            continue
        }
        output.append(contentsOf: scalars[cursor..<reference.offset])
        output.append(contentsOf: value.unicodeScalars)
        // Skip past the closing braces.
        var end = reference.offset + 2
        while end + 1 < scalars.count, !(scalars[end] == "}" && scalars[end + 1] == "}") { end += 1 }
        cursor = end + 2
    }
    output.append(contentsOf: scalars[min(cursor, scalars.count)...])
    return String(output)
}

import Foundation
