import Foundation
import MooringManifests
import MooringSupervisor

/// Turns a resolved deployment into the concrete process the supervisor runs for one
/// replica: templates rendered, paths made absolute inside the revision export, the
/// template values exported as environment variables, probes pointed at the port.
struct ReplicaRenderer: Sendable {
    let layout: StateLayout
    /// The part of the controller's environment a model process inherits.
    let baseEnvironment: [String: String]
    /// The host's `{{host.NAME}}` values (`hostVars` in the host configuration).
    let hostVariables: [String: String]

    /// Variables passed through from the controller (a model server needs PATH to find
    /// `python3`, HOME and locale for its libraries); everything else comes from the spec.
    static let inherited = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR",
                            "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH"]

    init(layout: StateLayout, environment: [String: String] = ProcessInfo.processInfo.environment,
         hostVariables: [String: String] = [:]) {
        self.layout = layout
        self.hostVariables = hostVariables
        self.baseEnvironment = environment.filter { Self.inherited.contains($0.key) }
    }

    /// The process for replica `replica` of `spec` in `generation`: besides the template
    /// values, its environment carries markers (state directory, deployment, generation,
    /// replica, spec hash, revision) by which recovery recognises it without a record.
    /// `ports` are its named ports (`spec.ports`), exported as `PORT_NAME` too.
    /// `modelPath` is where a remote model is in the artifact cache (nil: the model is a
    /// path inside the revision).
    func render(_ spec: ResolvedDeployment, replica: Int, port: Int, ports: [String: Int] = [:], revision: String,
                generation: String = "", specHash: String = "", modelPath: String? = nil) -> ReplicaSpec {
        let revisionDir = layout.revisions.appendingPathComponent(revision).path
        let scratchDir = layout.scratchDirectory(deployment: spec.name, generation: generation, replica: replica).path
        var values: [TemplateVariable: String] = [
            .port: String(port),
            .name: spec.name,
            .replica: String(replica),
            .revision: revision,
            .revisionDir: revisionDir,
            .modelVersion: spec.model?.version ?? "",
            .scratchDir: scratchDir,
        ]
        if let model = spec.model {
            values[.modelPath] = modelPath ?? URL(fileURLWithPath: revisionDir).appendingPathComponent(model.uri).path
        }
        func render(_ text: String) -> String { renderTemplate(text, values: values, hostVariables: hostVariables, ports: ports) }

        var environment = baseEnvironment
        for (variable, value) in values { environment[variable.environmentName] = value }
        for (name, value) in ports { environment[NamedPorts.environmentName(name)] = String(value) }
        for (key, value) in spec.env { environment[key] = render(value) }
        environment[OrphanScanner.markerVariable] = layout.root.path
        environment[OrphanScanner.generationVariable] = generation
        environment[OrphanScanner.specHashVariable] = specHash

        var workingDirectory = render(spec.workingDir)
        if !workingDirectory.hasPrefix("/") {
            workingDirectory = URL(fileURLWithPath: revisionDir).appendingPathComponent(workingDirectory).path
        }

        let health: HealthCheck
        switch spec.health.probe {
        case let .http(path, probePort, scheme): health = .http(path: render(path), port: probePort ?? port, scheme: scheme)
        case let .tcp(probePort): health = .tcp(port: probePort ?? port)
        case let .exec(command): health = .exec(command: command.map(render))
        }

        var replicaSpec = ReplicaSpec(
            arguments: spec.command.map(render),
            environment: environment,
            workingDirectory: workingDirectory,
            port: port,
            health: health,
            probe: ProbePolicy(
                startupTimeout: .seconds(spec.health.startupTimeoutSeconds),
                period: .seconds(spec.health.periodSeconds),
                timeout: .seconds(spec.health.timeoutSeconds),
                failureThreshold: spec.health.failureThreshold,
                successThreshold: spec.health.successThreshold),
            restart: RestartPolicy(rawValue: spec.restart.policy.rawValue) ?? .always,
            backoff: BackoffPolicy(
                initial: .milliseconds(Int64(spec.restart.backoffInitialSeconds * 1000)),
                max: .milliseconds(Int64(spec.restart.backoffMaxSeconds * 1000)),
                resetAfter: .milliseconds(Int64(spec.restart.backoffResetAfterSeconds * 1000))),
            gracePeriod: .seconds(spec.gracePeriodSeconds),
            logFile: layout.logFile(deployment: spec.name, generation: generation, replica: replica),
            inheritsEnvironment: false
        )
        replicaSpec.namedPorts = ports
        return replicaSpec
    }
}
