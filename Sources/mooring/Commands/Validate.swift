import ArgumentParser
import Foundation
import MooringConfiguration
import MooringManifests

extension Mooring {
    /// `mooring validate [PATH]`: decodes and checks every manifest under PATH as the
    /// controller would, without touching anything. Exit 0 valid, 1 invalid, 2 unusable input.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the manifests under PATH (exit 0 valid, 1 invalid, 2 error).",
            discussion: """
            Every *.yaml/*.yml file under PATH is read, recursively. All problems are \
            reported at once as file:line:column. Model paths are checked against the \
            enclosing Git work tree (or --repo-root). With --config, the host's policy and \
            {{host.NAME}} variables are checked too; without one, {{host.NAME}} is accepted \
            with a warning that it is unchecked (/etc/mooring/config.yaml is not read implicitly).

            Examples:
              mooring validate manifests
              mooring validate manifests --format github   # annotations on a pull request
            """
        )

        /// Output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, github
        }

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("config"), help: ArgumentHelp("Host configuration whose policy, limits and host variables apply.", valueName: "path"))
        var config: String?

        @Argument(help: "Directory of manifests (or one manifest file).")
        var path: String = "manifests"

        @Option(help: "Output format: text, json, or github (workflow annotations).")
        var format: Format = .text

        @Option(name: .customLong("repo-root"), help: "Repository root for model paths (default: the enclosing Git work tree).")
        var repoRoot: String?

        func run() throws {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                printError("mooring validate: \(path) does not exist; give the directory that holds your manifests")
                throw ExitCode(2)
            }
            if isDirectory.boolValue && isSymlink(url) {
                // The controller reads Git's tree, where a link is never followed: it rejects
                // a commit whose manifests folder is a symlink, so the check must too.
                printError("mooring validate: \(path) is a symlink to a folder; the controller rejects a commit whose manifests path is a symlink — give the folder itself")
                throw ExitCode(1)
            }
            var host: HostConfiguration?
            if let config {
                do {
                    host = try HostConfiguration.load(path: config)
                } catch {
                    printError("mooring validate: \(error)")
                    throw ExitCode(2)
                }
            }
            let policy = host?.policy ?? .trusting
            let limits = host?.limits ?? .default
            let hostVariables = host.map { Set($0.hostVariables.keys) }
            let set: ManifestSet
            do {
                let root = repoRoot.map { URL(fileURLWithPath: $0).standardizedFileURL }
                if isDirectory.boolValue {
                    set = try ManifestSet.load(directory: url, repositoryRoot: root, limits: limits,
                                               policy: policy, hostVariables: hostVariables)
                } else {
                    let base = root ?? FileSystemRepository.enclosingRoot(
                        of: url.deletingLastPathComponent(),
                        fallback: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                    let file = isSymlink(url)
                        ? ManifestFile(path: path, contents: Data(try FileManager.default.destinationOfSymbolicLink(atPath: url.path).utf8),
                                       isSymlink: true)
                        : ManifestFile(path: path, contents: try Data(contentsOf: url))
                    set = ManifestSet.load(files: [file], repository: FileSystemRepository(root: base), limits: limits,
                                           policy: policy, hostVariables: hostVariables)
                }
            } catch {
                printError("mooring validate: cannot read \(path): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            guard set.fileCount > 0 else {
                printError("mooring validate: no manifests (*.yaml, *.yml) under \(path)")
                throw ExitCode(2)
            }
            report(set)
            if !set.isValid { throw ExitCode(1) }
        }

        /// Whether `url` itself (not what it points to) is a symbolic link.
        private func isSymlink(_ url: URL) -> Bool {
            var info = stat()
            return lstat(url.path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
        }

        private func report(_ set: ManifestSet) {
            let errors = set.diagnostics.filter { $0.severity == .error }.count
            let summary = set.isValid
                ? "\(path): valid (\(set.fileCount) file\(set.fileCount == 1 ? "" : "s"), \(set.deployments.count) deployment\(set.deployments.count == 1 ? "" : "s"), \(set.runtimes.count) runtime\(set.runtimes.count == 1 ? "" : "s"))"
                : "\(path): \(errors) error\(errors == 1 ? "" : "s") in \(Set(set.diagnostics.map(\.position.file)).count) of \(set.fileCount) file\(set.fileCount == 1 ? "" : "s")"
            switch format {
            case .text:
                for diagnostic in set.diagnostics { print(diagnostic.description) }
                print(summary)
            case .github:
                for diagnostic in set.diagnostics { print(diagnostic.githubAnnotation) }
                print(summary)
            case .json:
                let output = ValidationReport(
                    valid: set.isValid,
                    files: set.fileCount,
                    deployments: set.deployments.map(\.name),
                    runtimes: set.runtimes.keys.sorted(),
                    diagnostics: set.diagnostics.map(ValidationReport.Item.init))
                print(stableJSON(output))
            }
        }
    }
}

/// The stable JSON shape of `mooring validate --format json` (documented in docs/cli.md).
struct ValidationReport: Encodable {
    struct Item: Encodable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var field: String
        var message: String

        init(_ diagnostic: Diagnostic) {
            file = diagnostic.position.file
            line = diagnostic.position.line
            column = diagnostic.position.column
            severity = diagnostic.severity.rawValue
            field = diagnostic.field
            message = diagnostic.message
        }
    }

    var valid: Bool
    var files: Int
    var deployments: [String]
    var runtimes: [String]
    var diagnostics: [Item]
}
