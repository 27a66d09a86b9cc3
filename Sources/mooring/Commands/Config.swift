import ArgumentParser
import Foundation
import MooringConfiguration

extension Mooring {
    /// `mooring config …`: the host configuration file.
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the host configuration file.",
            subcommands: [ValidateConfig.self])
    }

    /// `mooring config validate [PATH]`: exit 0 valid, 1 invalid.
    struct ValidateConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Validate a host configuration file (default \(HostConfiguration.defaultPath)); exit 0 valid, 1 invalid.",
            discussion: """
            Every problem is reported at once as file:line:column, like manifests. With policy.runtimes: \
            host-only, the host's runtime directory is read and checked too.

            Example:
              mooring config validate /etc/mooring/host.yaml && sudo systemctl restart mooring
            """)

        @Argument(help: "The configuration file.")
        var path: String = HostConfiguration.defaultPath

        func run() throws {
            let configuration: HostConfiguration
            do {
                configuration = try HostConfiguration.load(path: path)
            } catch let error as HostConfigurationError {
                for diagnostic in error.diagnostics { print(diagnostic.description) }
                let errors = error.diagnostics.filter { $0.severity == .error }.count
                print("\(error.file): \(errors) error\(errors == 1 ? "" : "s")")
                throw ExitCode(1)
            }
            for warning in configuration.warnings { print(warning.description) }
            var facts: [String] = []
            if !configuration.hostVariables.isEmpty { facts.append("\(configuration.hostVariables.count) host variable\(configuration.hostVariables.count == 1 ? "" : "s")") }
            facts.append("policy.runtimes \(configuration.policy.runtimes.rawValue)")
            if configuration.policy.runtimes == .hostOnly {
                facts.append("\(configuration.policy.hostRuntimes.count) host runtime\(configuration.policy.hostRuntimes.count == 1 ? "" : "s")")
            }
            if let signatures = configuration.commitSignatures {
                switch signatures.mode {
                case .ssh: facts.append("commits verified (ssh)")
                case .gpg: facts.append("commits verified (gpg)")
                }
            }
            print("\(configuration.file): valid (\(facts.joined(separator: ", ")))")
        }
    }
}
