import Foundation
import Logging
import MooringCheckRunner
import MooringGit
import MooringManifests
import MooringModelChecks
import MooringSupervisor

/// `mooring test`: starts the deployments a revision defines (all, those named, or those
/// that change against a base revision) in a scratch state directory with the real
/// supervisor, waits for each to be healthy, runs its `spec.tests` with the same
/// ``CheckRunner`` as the controller's Testing gate, and stops everything it started.
public struct ModelTestSession: Sendable {
    /// One deployment's outcome.
    public struct DeploymentReport: Sendable, Equatable {
        public var name: String
        /// Why the checks could not run (the replica did not start or become healthy).
        public var failure: String?
        public var results: [CheckResult]

        /// Whether every check passed (and they could run).
        public var passed: Bool { failure == nil && results.allSatisfy(\.passed) }
    }

    /// The whole run.
    public struct Report: Sendable {
        public var commit: CommitInfo
        public var base: CommitInfo?
        /// Problems that reject the revision (then nothing ran).
        public var diagnostics: [Diagnostic]
        public var deployments: [DeploymentReport]
        /// Deployments selected that have no `spec.tests`: started by nothing.
        public var untested: [String]

        public var passed: Bool {
            !diagnostics.contains { $0.severity == .error } && deployments.allSatisfy(\.passed)
        }
    }

    public var configuration: ControllerConfiguration
    public var logger: Logger

    public init(configuration: ControllerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the checks of `revision`'s deployments. `names` picks deployments (empty: all,
    /// or with `base` those whose spec differs from `base`'s). The configuration's state
    /// directory must be a scratch directory: the revision is exported and logs are written
    /// there. Every process started is stopped before this returns, also when the task is
    /// cancelled (Ctrl-C).
    public func run(revision: String, against base: String?, names: [String]) async throws -> Report {
        let source = try configuration.openSource(logger: logger)
        let commit = try await PlanPreview.resolve(revision, in: source)
        let baseCommit: CommitInfo? = if let base { try await PlanPreview.resolve(base, in: source) } else { nil }
        let path = configuration.manifestsPath
        let set = try source.manifestSet(at: commit.id, path: path, configuration: configuration)
        var report = Report(commit: commit, base: baseCommit, diagnostics: set.diagnostics, deployments: [], untested: [])
        guard set.isValid else { return report }

        var selected = set.deployments
        if !names.isEmpty {
            let known = Set(selected.map(\.name))
            if let unknown = names.first(where: { !known.contains($0) }) {
                throw ControllerError(.configuration, "no deployment named `\(unknown)` at \(commit.id.short); it defines: \(known.sorted().joined(separator: ", "))")
            }
            selected = selected.filter { names.contains($0.name) }
        } else if let baseCommit {
            let baseSpecs = try Self.deployments(at: baseCommit.id, path: path, source: source)
            selected = selected.filter { spec in
                baseSpecs[spec.name].map { $0.specHash(version: ResolvedDeployment.specHashVersion) != spec.specHash } ?? true
            }
        }
        report.untested = selected.filter { ($0.tests ?? []).isEmpty }.map(\.name)
        let tested = selected.filter { !($0.tests ?? []).isEmpty }
        guard !tested.isEmpty else { return report }

        let layout = StateLayout(root: configuration.stateDirectory)
        let revisions = layout.revisions
        try FileManager.default.createDirectory(at: revisions, withIntermediateDirectories: true)
        _ = try await Blocking.run { try source.export(commit: commit.id, into: revisions) }

        let supervisor = Supervisor(portRange: configuration.portRange, logger: logger,
                                    containment: .detect(scope: layout.root.path))
        let renderer = ReplicaRenderer(layout: layout, hostVariables: configuration.hostVariables)
        let revisionID = commit.id.hex
        let runner = Task {
            var reports: [DeploymentReport] = []
            for spec in tested {
                if Task.isCancelled { break }
                reports.append(await Self.test(spec, revision: revisionID, supervisor: supervisor, renderer: renderer,
                                               hostVariables: configuration.hostVariables))
            }
            return reports
        }
        // Cancelling `run` cancels the checks; the processes are stopped either way.
        report.deployments = await withTaskCancellationHandler {
            await runner.value
        } onCancel: {
            runner.cancel()
        }
        // A task of its own, not cancelled with the caller: the stops must finish.
        await Task {
            for snapshot in await supervisor.snapshots() { await supervisor.stop(snapshot.id) }
            await supervisor.shutdown()
        }.value
        return report
    }

    /// Starts replica 0 of `spec`, waits until it is ready (or its startup timeout passes,
    /// or it exits), runs the checks and stops it.
    static func test(_ spec: ResolvedDeployment, revision: String, supervisor: Supervisor,
                     renderer: ReplicaRenderer, hostVariables: [String: String]) async -> DeploymentReport {
        var report = DeploymentReport(name: spec.name, failure: nil, results: [])
        let id = ReplicaID(deployment: spec.name, replica: 0, generation: "test")
        let port: Int
        do {
            port = try await supervisor.allocatePort()
        } catch {
            report.failure = "no port to start it on: \(error)"
            return report
        }
        let replica = renderer.render(spec, replica: 0, port: port, revision: revision, generation: "test", specHash: spec.specHash)
        do {
            _ = try await supervisor.start(id, spec: replica)
        } catch {
            await supervisor.releasePort(port)
            report.failure = "could not start: \(error)"
            return report
        }
        let deadline = ContinuousClock.now + .seconds(spec.health.startupTimeoutSeconds)
        var ready = false
        while !Task.isCancelled, ContinuousClock.now < deadline {
            guard let snapshot = await supervisor.snapshot(id) else { break }
            if snapshot.state == .ready { ready = true; break }
            if snapshot.state == .exited || snapshot.state == .crashLoop {
                report.failure = "the process exited before it was healthy: \(snapshot.message ?? snapshot.lastExit.map { "\($0)" } ?? "no reason given"); see \(replica.logFile.path)"
                break
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        if ready {
            let values: [TemplateVariable: String] = [
                .name: spec.name, .replica: "0", .revision: revision, .modelVersion: spec.model?.version ?? "",
            ]
            report.results = await CheckRunner.run(spec.tests ?? [], port: port, values: values, hostVariables: hostVariables)
        } else if report.failure == nil {
            report.failure = Task.isCancelled
                ? "interrupted before it was healthy"
                : "not healthy within its startupTimeoutSeconds (\(spec.health.startupTimeoutSeconds)s); see \(replica.logFile.path)"
        }
        await Task { await supervisor.stop(id) }.value
        return report
    }

    /// The deployments of a base revision by name; an unreadable or invalid base is an
    /// error (there is nothing sound to compare with), a base without the manifests
    /// folder has none.
    static func deployments(at commit: ObjectID, path: String, source: GitSource) throws -> [String: ResolvedDeployment] {
        do {
            _ = try source.treeID(at: commit, path: path)
        } catch let error as GitError where error.code == .pathNotFound {
            return [:]
        }
        let set = try source.manifestSet(at: commit, path: path)
        guard set.isValid else {
            let first = set.diagnostics.first { $0.severity == .error }?.description ?? "invalid manifests"
            throw ControllerError(.configuration, "the base \(commit.short) has invalid manifests, so there is nothing sound to compare against: \(first)")
        }
        return Dictionary(set.deployments.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
