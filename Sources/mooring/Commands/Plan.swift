import ArgumentParser
import Foundation
import Logging
import MooringController
import MooringManifests

extension Mooring {
    /// `mooring plan [--ref REF] [--against BASE]`: what would change.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the controller would change if REF (default: the tracked tip) were applied now.",
            discussion: """
            Against this host (no --against): exit 0 when nothing would change, 1 when something would, \
            2 on error (including an invalid REF).

            Against another revision (--against BASE), as a pull-request check: compares REF with BASE \
            without reading any host state, and exits 0 whether or not something changes unless \
            --exit-code is given (then 1 when something changes, as `git diff --exit-code`); 2 when \
            REF's manifests are invalid or a revision cannot be read.

            Examples:
              mooring plan --ref feature --against main --format markdown   # a PR comment
              mooring plan --ref feature --against origin/main --exit-code
            """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown }

        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: SourceOptions
        @OptionGroup var hostConfig: ConfigOptions

        @Option(help: ArgumentHelp("Branch, tag or commit to plan for, such as a pull request's branch.", valueName: "ref"))
        var ref: String?

        @Option(help: ArgumentHelp("Compare REF with this revision instead of with what runs on this host.", valueName: "base"))
        var against: String?

        @Flag(name: .customLong("exit-code"), help: "With --against: exit 1 when something would change.")
        var exitCode = false

        @Option(help: "Output format: text, or markdown (a table for a pull-request comment).")
        var format: Format = .text

        func validate() throws {
            if exitCode && against == nil {
                throw ValidationError("--exit-code goes with --against (without it, plan already exits 1 when something would change)")
            }
        }

        func run() async throws {
            let host = try hostConfig.load(command: "plan", exitCode: 2)
            let resolved = source.resolved(with: host)
            var logger = Logger(label: "mooring.plan")
            logger.logLevel = .error
            let preview: PlanPreview
            var scratch: URL?
            defer { scratch.map { removeScratch($0) } }
            do {
                if let against {
                    // No host state: a remote is mirrored into a scratch directory of its own.
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mooring-plan-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false,
                                                            attributes: [.posixPermissions: 0o700])
                    scratch = directory
                    var configuration = ControllerConfiguration(
                        repository: resolved.repository, reference: resolved.reference, manifestsPath: resolved.path,
                        stateDirectory: directory, credentials: resolved.credentials)
                    configuration.apply(host)
                    preview = try await PlanPreview.compare(configuration: configuration, revision: ref ?? "HEAD", against: against, logger: logger)
                } else {
                    // The state directory is read (what runs now) and may hold the remote's mirror.
                    _ = try verifiedStateDirectory(global, command: "plan", allowMissing: true)
                    var configuration = ControllerConfiguration(
                        repository: resolved.repository, reference: resolved.reference, manifestsPath: resolved.path,
                        stateDirectory: global.resolvedStateDirectory, credentials: resolved.credentials)
                    configuration.apply(host)
                    preview = try await PlanPreview.make(configuration: configuration, revision: ref, logger: logger)
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                printError("mooring plan: \(error)")
                throw ExitCode(2)
            }
            guard preview.diagnostics.allSatisfy({ $0.severity != .error }) || preview.steps.isEmpty == false else {
                print("plan for \(preview.commit.id.short) \"\(preview.commit.subject)\"")
                for diagnostic in preview.diagnostics { print(diagnostic.description) }
                printError("mooring plan: the manifests at \(preview.commit.id.short) are invalid; the controller would reject this commit")
                throw ExitCode(2)
            }
            print(format == .markdown ? PlanRendering.markdown(preview) : PlanRendering.text(preview))
            let changes = preview.steps.filter { $0.action.changesHost }.count
            if changes > 0 && (against == nil || exitCode) { throw ExitCode(1) }
        }

        private func removeScratch(_ directory: URL) {
            do {
                try FileManager.default.removeItem(at: directory)
            } catch {
                printError("mooring plan: could not remove the scratch directory \(directory.path): \(error); remove it by hand")
            }
        }
    }
}
