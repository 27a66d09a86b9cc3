import Foundation
import MooringManifests

extension HostConfiguration {
    /// Reads and checks the configuration file at `path`, then the host's runtime directory
    /// when `policy.runtimes` is host-only. Throws ``HostConfigurationError`` with every
    /// problem positioned (`file:line:column`); an unreadable file is one such problem.
    public static func load(path: String) throws -> HostConfiguration {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let shown = url.path
        let contents: Data
        do {
            contents = try Data(contentsOf: url)
        } catch {
            throw HostConfigurationError(file: shown, diagnostics: [Diagnostic(.error, at: SourcePosition(file: shown, line: 1, column: 1), field: "",
                message: "cannot read the host configuration: \(error.localizedDescription); check the path and that this user can read it")])
        }
        let context = DecodingContext(file: shown)
        var configuration = HostConfiguration(file: shown)
        let roots = ManifestFile(path: shown, contents: contents).parseRoots(context: context)
        if roots.count > 1 {
            context.error(roots[1], field: "", "the host configuration is one YAML document; remove the `---` and what follows, or merge it into the first")
        }
        var runtimeDirectory: URL?
        if let root = roots.first {
            runtimeDirectory = HostConfigurationDecoder(context: context, base: url.deletingLastPathComponent())
                .decode(root, into: &configuration)
        }
        var diagnostics = context.diagnostics
        if let runtimeDirectory, !diagnostics.hasErrors {
            diagnostics += configuration.loadHostRuntimes(from: runtimeDirectory)
        }
        guard !diagnostics.hasErrors else {
            throw HostConfigurationError(file: shown, diagnostics: diagnostics.sortedByPosition())
        }
        configuration.warnings = diagnostics.sortedByPosition()
        return configuration
    }

    /// Reads the ServingRuntimes of `directory` into the policy; the problems found.
    private mutating func loadHostRuntimes(from directory: URL) -> [Diagnostic] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [Diagnostic(.error, at: SourcePosition(file: file, line: 1, column: 1), field: "policy.runtimeDirectory",
                message: "\(directory.path) is not a folder; create it with the host's ServingRuntime YAML files, or fix policy.runtimeDirectory")]
        }
        do {
            let (runtimes, diagnostics) = try ManifestPolicy.loadHostRuntimes(
                directory: directory, limits: limits, hostVariables: Set(hostVariables.keys))
            policy.hostRuntimes = runtimes
            return diagnostics
        } catch {
            return [Diagnostic(.error, at: SourcePosition(file: file, line: 1, column: 1), field: "policy.runtimeDirectory",
                message: "cannot read the host's runtimes in \(directory.path): \(error.localizedDescription)")]
        }
    }

    /// The configuration file to use: `explicit` when given (it must exist), else
    /// ``defaultPath`` when that file exists, else none.
    public static func locate(explicit: String?, defaultPath: String = HostConfiguration.defaultPath) -> String? {
        if let explicit { return explicit }
        return FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil
    }
}
