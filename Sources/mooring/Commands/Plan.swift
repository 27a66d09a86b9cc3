import ArgumentParser
import Foundation
import Logging
import MooringController
import MooringManifests

extension Mooring {
    /// `mooring plan [--ref REF]`: what would change. Exit 0 nothing, 1 changes, 2 error.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the controller would change if REF (default: the tracked tip) were applied now.",
            discussion: "Exit 0 when nothing would change, 1 when something would, 2 on error (including an invalid REF).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: SourceOptions
        @OptionGroup var hostConfig: ConfigOptions

        @Option(help: ArgumentHelp("Branch, tag or commit to plan for, such as a pull request's branch.", valueName: "ref"))
        var ref: String?

        func run() async throws {
            // The state directory is read (what runs now) and may hold the remote's mirror.
            _ = try verifiedStateDirectory(global, command: "plan", allowMissing: true)
            let host = try hostConfig.load(command: "plan", exitCode: 2)
            let resolved = source.resolved(with: host)
            var configuration = ControllerConfiguration(
                repository: resolved.repository, reference: resolved.reference, manifestsPath: resolved.path,
                stateDirectory: global.resolvedStateDirectory, credentials: resolved.credentials)
            configuration.apply(host)
            var logger = Logger(label: "mooring.plan")
            logger.logLevel = .error
            let preview: PlanPreview
            do {
                preview = try await PlanPreview.make(configuration: configuration, revision: ref, logger: logger)
            } catch {
                printError("mooring plan: \(error)")
                throw ExitCode(2)
            }
            print("plan for \(preview.commit.id.short) \"\(preview.commit.subject)\"")
            guard preview.diagnostics.allSatisfy({ $0.severity != .error }) || preview.steps.isEmpty == false else {
                for diagnostic in preview.diagnostics { print(diagnostic.description) }
                printError("mooring plan: the manifests at \(preview.commit.id.short) are invalid; the controller would reject this commit")
                throw ExitCode(2)
            }
            for step in preview.steps {
                switch step.action {
                case .create:
                    print("+ \(step.name): create (\(step.desired?.replicas ?? 0) replica\(step.desired?.replicas == 1 ? "" : "s"))")
                case let .update(changes):
                    print("~ \(step.name): update (rollout)")
                    for change in changes { print("    \(change)") }
                case let .scale(from, to, changes):
                    print("~ \(step.name): scale \(from) → \(to)")
                    for change in changes where change.field != "replicas" { print("    \(change)") }
                case .delete:
                    print("- \(step.name): delete")
                case .noop:
                    print("  \(step.name): no change")
                case let .quarantined(reason):
                    print("! \(step.name): quarantined, not retried (\(reason))")
                case .suspended:
                    print("  \(step.name): suspended")
                }
            }
            let changes = preview.steps.filter { $0.action.changesHost }.count
            print(changes == 0 ? "nothing to do" : "\(changes) deployment\(changes == 1 ? "" : "s") would change")
            if changes > 0 { throw ExitCode(1) }
        }
    }
}
