import ArgumentParser
import Foundation
import Logging
import MooringController
import MooringManifests
import UnixSignals

extension Mooring {
    /// `mooring test [--ref REF] [--against BASE] [NAME…]`: a pull request's model tests.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a revision's deployments locally and run their spec.tests, as the Testing gate would.",
            discussion: """
            Starts replica 0 of each selected deployment that has spec.tests — from a scratch state \
            directory, on free ports, with the controller's own supervisor — waits until it is healthy, \
            runs its checks with the same code as the controller's Testing gate, prints the results and \
            stops every process it started (also on Ctrl-C). Needs no running controller and reads no \
            host state.

            Selects the deployments NAME… when given, else those whose spec changes against --against \
            BASE, else every deployment of REF. Exits 0 when every check passed, 1 when one failed or a \
            deployment could not be started or become healthy, 2 on error (invalid manifests, an \
            unknown revision or name).

            Examples:
              mooring test --ref feature --against main                   # a pull request's check
              mooring test --ref feature --against origin/main --format github
              mooring test iris --format junit > model-tests.xml
            """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, github, markdown, junit }

        @OptionGroup var source: SourceOptions
        @OptionGroup var hostConfig: ConfigOptions

        @Option(help: ArgumentHelp("Branch, tag or commit to test (default: HEAD).", valueName: "ref"))
        var ref: String?

        @Option(help: ArgumentHelp("Test only the deployments whose spec changes against this revision.", valueName: "base"))
        var against: String?

        @Option(help: "Output format: table, github (workflow annotations), markdown (a pull-request comment) or junit (XML).")
        var format: Format = .table

        @Option(name: .customLong("port-range"), help: ArgumentHelp("Ports the replicas may use.", valueName: "from-to"))
        var portRange: String = "30000-39999"

        @Argument(help: ArgumentHelp("Deployments to test (default: all, or the changed ones with --against).", valueName: "name"))
        var names: [String] = []

        func validate() throws {
            _ = try parsedPortRange()
        }

        func parsedPortRange() throws -> ClosedRange<Int> {
            let parts = portRange.split(separator: "-").map { Int($0) }
            guard parts.count == 2, let low = parts[0], let high = parts[1], 1024 <= low, low <= high, high <= 65535 else {
                throw ValidationError("--port-range `\(portRange)` is not FROM-TO with 1024 <= FROM <= TO <= 65535")
            }
            return low...high
        }

        func run() async throws {
            let host = try hostConfig.load(command: "test", exitCode: 2)
            let resolved = source.resolved(with: host)
            var logger = Logger(label: "mooring.test")
            logger.logLevel = .error
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mooring-test-\(UUID().uuidString)")
            do {
                try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: false,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                printError("mooring test: cannot create a scratch directory \(scratch.path): \(error); check TMPDIR")
                throw ExitCode(2)
            }
            defer { removeScratch(scratch) }
            var configuration = ControllerConfiguration(
                repository: resolved.repository, reference: resolved.reference, manifestsPath: resolved.path,
                stateDirectory: scratch, portRange: try parsedPortRange(), credentials: resolved.credentials)
            configuration.apply(host)
            let session = ModelTestSession(configuration: configuration, logger: logger)
            let (revision, against, names) = (ref ?? "HEAD", self.against, self.names)

            let outcome: Result<ModelTestSession.Report, any Error>?
            outcome = await withTaskGroup(of: Result<ModelTestSession.Report, any Error>?.self) { group in
                group.addTask {
                    do { return .success(try await session.run(revision: revision, against: against, names: names)) } catch { return .failure(error) }
                }
                group.addTask {
                    // Ctrl-C or SIGTERM: stop the checks; the session stops its processes.
                    for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                        printError("mooring test: \(signal); stopping every process started")
                        return nil
                    }
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let outcome else {
                printError("mooring test: interrupted; every process it started is stopped")
                throw ExitCode(130)
            }
            let report: ModelTestSession.Report
            switch outcome {
            case let .success(value): report = value
            case let .failure(error):
                printError("mooring test: \(error)")
                throw ExitCode(2)
            }
            if report.diagnostics.contains(where: { $0.severity == .error }) {
                for diagnostic in report.diagnostics { printError(diagnostic.description) }
                printError("mooring test: the manifests at \(report.commit.id.short) are invalid; nothing was started")
                throw ExitCode(2)
            }
            print(TestRendering.render(report, format: format))
            if !report.passed { throw ExitCode(1) }
        }

        private func removeScratch(_ directory: URL) {
            do {
                try FileManager.default.removeItem(at: directory)
            } catch {
                printError("mooring test: could not remove the scratch directory \(directory.path): \(error); remove it by hand")
            }
        }
    }
}
