import ArgumentParser
import Foundation
import MooringConfiguration
import MooringController

/// `--config PATH`: the host configuration file (`run`, `plan`, `validate`).
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"),
            help: ArgumentHelp("Host configuration file (default: \(HostConfiguration.defaultPath) when it exists).", valueName: "path"))
    var config: String?

    /// The host configuration, or nil when none is given and the default file does not
    /// exist. A file that cannot be used prints every problem and exits `exitCode`.
    func load(command: String, exitCode: Int32, defaultPath: String = HostConfiguration.defaultPath) throws -> HostConfiguration? {
        guard let path = HostConfiguration.locate(explicit: config, defaultPath: defaultPath) else { return nil }
        do {
            let configuration = try HostConfiguration.load(path: path)
            for warning in configuration.warnings { printError(warning.description) }
            return configuration
        } catch {
            printError("mooring \(command): \(error)")
            throw ExitCode(exitCode)
        }
    }
}

extension ControllerConfiguration {
    /// Carries the host configuration's policy, variables, limits, retention and signature
    /// policy into the controller's configuration (flags were merged already).
    mutating func apply(_ host: HostConfiguration?) {
        guard let host else { return }
        policy = host.policy
        hostVariables = host.hostVariables
        limits = host.limits
        commitSignatures = host.commitSignatures
        artifacts = host.artifacts
        if let rollouts = host.retention.rolloutsPerDeployment { retention.rolloutsPerDeployment = rollouts }
        if let age = host.retention.eventsMaxAge { retention.eventsMaxAge = age }
    }
}
