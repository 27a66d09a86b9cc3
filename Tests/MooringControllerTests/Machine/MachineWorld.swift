import Foundation
import MooringManifests
import MooringModelChecks
import MooringStatus
import MooringStore
import MooringSupervisor
import MooringTraffic
@testable import MooringController

/// A deterministic world for one ``DeploymentMachine``: a fake supervisor whose processes
/// start, become ready, crash and stop only when a test step says so, a manual clock,
/// and restarts that go through the real persistence mapping (rows and back).
struct MachineWorld {
    /// A fake process.
    struct Process: Equatable {
        var pid: Int32
        var specHash: String
        var version: Int
    }

    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    var machine: DeploymentMachine
    var now = MachineWorld.epoch
    var processes: [ReplicaKey: Process] = [:]
    var startsInFlight: [ReplicaKey: Target] = [:]
    var stopsInFlight: Set<ReplicaKey> = []
    var preparesInFlight: [String] = []
    var history: [HistoryChange] = []
    var events: [String] = []
    var nextPid: Int32 = 1000
    /// Whether the machine asked for its row to be deleted.
    var deleted = false
    var commits = 0
    /// Versions whose processes crash-loop instead of becoming ready.
    var broken: Set<Int> = []
    /// Specs carry `spec.endpoint` (a stable endpoint through the data plane).
    var endpoint = false
    /// Whether the fake data plane reports draining servers idle (their requests finished).
    var dataPlaneIdle = true
    /// Breaches of the traffic rules seen after any input (see ``checkTraffic``).
    var trafficViolations: [String] = []
    /// Model tests asked for and not yet answered: generation, version, replicas tested.
    var testsInFlight: [(generation: String, version: Int, ports: [ReplicaPort])] = []
    /// Versions that answer their golden requests wrongly.
    var wrong: Set<Int> = []
    /// `spec.rollout` fields added to every spec (canary steps and analysis), if any.
    var rolloutExtra: String?
    /// The fake HAProxy's cumulative counters, by server name.
    var counters: [String: ServerCounters] = [:]
    /// Canary readings asked for and not yet answered (generations).
    var measuresInFlight: [String] = []
    /// Whether the fake HAProxy answers readings (false: the runtime API fails).
    var statsAnswer = true
    /// Requests the fake load sends through the stable endpoint per ``wait(_:)``.
    var requestsPerWait = 100
    /// Versions that answer 500 to this share of requests.
    var failing: [Int: Double] = [:]
    /// Requests each version answered (through the fake data plane) and how many failed.
    var answered: [Int: Int] = [:]
    var failed: [Int: Int] = [:]

    init(version: Int, replicas: Int = 1, strategy: String = "Surge", endpoint: Bool = false, rolloutExtra: String? = nil) {
        commits += 1
        self.endpoint = endpoint
        self.rolloutExtra = rolloutExtra
        machine = DeploymentMachine(name: "iris", desired: Self.target(version, replicas: replicas, strategy: strategy,
                                                                       endpoint: endpoint, rolloutExtra: rolloutExtra, commit: commits))
        send(.tick)
    }

    static func revision(_ commit: Int) -> String {
        String(repeating: String(commit % 10), count: 40)
    }

    static func target(_ version: Int, replicas: Int = 1, strategy: String = "Surge", suspend: Bool = false,
                       endpoint: Bool = false, tests: Bool = false, rolloutExtra: String? = nil, commit: Int) -> Target {
        let golden = tests ? """

                  tests:
                    - {name: iris-setosa, path: /infer, body: "{}", expect: {json: [{path: "$.c", equals: 0}]}}
                """ : ""
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              command: ["server", "--version", "\(version)", "--port", "{{port}}"]
              replicas: \(replicas)
              suspend: \(suspend)
              rollout: {strategy: \(strategy), minHealthySeconds: 5, progressDeadlineSeconds: 60\(rolloutExtra.map { ", \($0)" } ?? "")}\(golden)
            \(endpoint ? "  endpoint: {port: 8080}" : "")
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "manifests/iris.yaml", contents: Data(yaml.utf8))])
        precondition(set.isValid, "\(set.diagnostics)")
        return Target(spec: set.deployments[0], revision: revision(commit))
    }

    /// The version a spec hash runs.
    func version(of hash: String) -> Int? {
        let specs = [machine.desired, machine.applied, machine.rollout?.target].compactMap { $0 }
        return specs.first { $0.hash == hash }.flatMap { Int($0.spec.command[2]) }
            ?? processes.values.first { $0.specHash == hash }?.version
    }

    // MARK: Inputs and actions

    mutating func send(_ input: DeploymentInput) {
        let before = machine
        let actions = machine.handle(input, now: now)
        checkTraffic(before: before, actions: actions)
        for action in actions {
            switch action {
            case let .prepare(revision): preparesInFlight.append(revision)
            case let .start(key, target): startsInFlight[key] = target
            case let .stop(key, _): stopsInFlight.insert(key)
            case let .history(change): history.append(change)
            case let .event(_, reason, message): events.append("\(reason.rawValue): \(message)")
            case .delete: deleted = true
            case .wake: break
            case let .runTests(generation, target, ports):
                testsInFlight.append((generation, Int(target.spec.command[2]) ?? 0, ports))
            case let .measureCanary(generation):
                measuresInFlight.append(generation)
            }
        }
    }

    /// Git moves to `version` at a new commit.
    mutating func commit(_ version: Int, replicas: Int? = nil, strategy: String = "Surge", suspend: Bool = false, tests: Bool = false) {
        commits += 1
        send(.desired(Self.target(version, replicas: replicas ?? machine.desired.spec.replicas, strategy: strategy,
                                  suspend: suspend, endpoint: endpoint, tests: tests, rolloutExtra: rolloutExtra, commit: commits)))
    }

    /// The fake load: `requests` requests through the stable endpoint, spread over the
    /// servers in rotation by their weights (as HAProxy's round robin does); a server of a
    /// ``failing`` version answers 500 to its share of them.
    mutating func sendTraffic(_ requests: Int) {
        guard let backend = machine.trafficBackend else { return }
        let ready = backend.servers.filter { $0.state == .ready && $0.weight > 0 }
        let total = ready.map(\.weight).reduce(0, +)
        guard total > 0 else { return }
        for server in ready {
            let count = Int((Double(requests) * Double(server.weight) / Double(total)).rounded())
            guard let key = DeploymentMachine.replicaKey(serverName: server.name),
                  let version = processes[key]?.version else { continue }
            let errors = Int((Double(count) * (failing[version] ?? 0)).rounded())
            var row = counters[server.name] ?? ServerCounters(responses: 0, responses5xx: 0)
            row.responses += count
            row.responses5xx += errors
            row.responseTimeMillis = 12
            counters[server.name] = row
            answered[version, default: 0] += count
            failed[version, default: 0] += errors
        }
    }

    /// Every canary reading in flight answers from the fake HAProxy's counters.
    mutating func answerMeasures() {
        let generations = measuresInFlight
        measuresInFlight = []
        for generation in generations {
            if statsAnswer {
                let servers = counters.filter { DeploymentMachine.replicaKey(serverName: $0.key)?.generation == generation }
                send(.canaryStats(generation: generation, servers: servers, failure: nil))
            } else {
                send(.canaryStats(generation: generation, servers: [:], failure: "connection refused"))
            }
        }
    }

    /// Every model test run in flight answers: wrong versions fail `iris-setosa`.
    mutating func finishTests() {
        let runs = testsInFlight
        testsInFlight = []
        for run in runs {
            let passed = !wrong.contains(run.version)
            let result = CheckResult(name: "iris-setosa", passed: passed, latencyMillis: 3, calls: 1,
                                     detail: passed ? nil : "$.c expected 0, got 2")
            send(.tested(generation: run.generation, results: Array(repeating: result, count: run.ports.count),
                         failure: passed ? nil : result.failureMessage))
        }
    }

    mutating func finishPrepares() {
        let revisions = preparesInFlight
        preparesInFlight = []
        for revision in revisions { send(.prepared(revision: revision, failure: nil)) }
    }

    /// Every start in flight spawns a process.
    mutating func finishStarts() {
        let starts = startsInFlight.sorted { $0.key < $1.key }
        startsInFlight = [:]
        for (key, target) in starts {
            nextPid += 1
            let identity = ProcessIdentity(pid: nextPid, startTime: UInt64(nextPid), processGroup: nextPid)
            let version = Int(target.spec.command[2]) ?? 0
            processes[key] = Process(pid: nextPid, specHash: target.hash, version: version)
            send(.started(key, port: 20000 + Int(nextPid), identity: identity, at: now))
        }
    }

    /// Every started process that is not stopping reports ready (or a crash loop when broken).
    mutating func probe() {
        for (key, process) in processes.sorted(by: { $0.key < $1.key }) {
            guard let slot = machine.replicas[key], slot.phase == .starting || slot.phase == .running else { continue }
            if broken.contains(process.version) {
                send(.observed(key, ReplicaObservation(phase: .crashLoop, restarts: 5,
                                                       lastExit: ExitStatus(code: 1, signal: nil, time: now))))
            } else {
                send(.observed(key, ReplicaObservation(phase: .ready, identity: slot.identity, readySince: now)))
            }
        }
    }

    /// Every stop in flight ends: the process is gone.
    mutating func finishStops() {
        let stops = stopsInFlight.sorted()
        stopsInFlight = []
        for key in stops {
            processes[key] = nil
            send(.stopped(key))
        }
    }

    /// The fake data plane: every draining server with no request left is reported.
    mutating func reportDrained() {
        guard dataPlaneIdle else { return }
        for slot in machine.replicas.values.sorted(by: { $0.key < $1.key }) where slot.drainingSince != nil && !slot.drained && slot.phase != .stopping {
            send(.drained(slot.key))
        }
    }

    /// The rules a stable endpoint keeps, after every input: a replica that took traffic
    /// is stopped only after it drained (or its grace period ran out), and once a version
    /// served, the backend never runs out of servers in rotation (a Recreate excepted).
    mutating func checkTraffic(before: DeploymentMachine, actions: [DeploymentAction]) {
        guard endpoint, !machine.removing else { return }
        for case let .stop(key, _) in actions {
            guard let slot = before.replicas[key], DeploymentMachine.inRotation(slot) else { continue }
            let drained = machine.replicas[key]?.drained == true || (before.drainDeadline(slot).map { now >= $0 } ?? false)
            if !drained { trafficViolations.append("\(key) stopped while in rotation at \(now)") }
        }
        if before.applied != nil, machine.rollout?.kind != .recreate, machine.desired.spec.replicas > 0,
           let backend = machine.trafficBackend, !backend.servers.contains(where: { $0.state == .ready }) {
            trafficViolations.append("no server in rotation after \(actions.count) actions at \(now): \(backend.servers)")
        }
        // A generation whose model tests have not passed never takes a request.
        if let rollout = machine.rollout, machine.awaitsModelTests(rollout), let backend = machine.trafficBackend,
           let early = backend.servers.first(where: { $0.state == .ready && $0.name.hasPrefix(rollout.generation + "-") }) {
            trafficViolations.append("\(early.name) in rotation before its model tests passed at \(now)")
        }
    }

    mutating func wait(_ seconds: TimeInterval) {
        if endpoint { sendTraffic(Int(Double(requestsPerWait) * seconds / 5)) }
        now = now.addingTimeInterval(seconds)
        send(.tick)
    }

    /// The controller is SIGKILLed and started again: what was in flight is lost (a stop
    /// in flight leaves its process running; a start in flight never spawned), the
    /// machine is rebuilt from its rows, recorded processes are adopted or found gone, and
    /// the machine resumes.
    mutating func restart() throws {
        let record = try machine.record()
        let rows = machine.replicas.values.map { $0.record(deployment: machine.name, logPath: "/l") }
        startsInFlight = [:]
        stopsInFlight = []
        preparesInFlight = []
        testsInFlight = []
        measuresInFlight = []
        machine = try DeploymentMachine(record: record, replicas: rows)
        for slot in machine.replicas.values.sorted(by: { $0.key < $1.key }) {
            if let process = processes[slot.key], slot.identity?.pid == process.pid {
                send(.observed(slot.key, ReplicaObservation(phase: .running, identity: slot.identity, message: "adopted")))
            } else {
                send(.gone(slot.key, reason: "no such process"))
            }
        }
        send(.resume)
    }

    /// Lets the world run until nothing is in flight and no rollout is under way.
    mutating func settle() {
        for _ in 0..<50 {
            finishPrepares()
            finishStarts()
            probe()
            reportDrained()
            finishTests()
            answerMeasures()
            finishStops()
            if startsInFlight.isEmpty, stopsInFlight.isEmpty, preparesInFlight.isEmpty, testsInFlight.isEmpty, measuresInFlight.isEmpty,
               machine.rollout == nil || machine.rollout?.phase == .failed {
                return
            }
            wait(5)
        }
    }

    // MARK: What a user would see

    /// Versions of the live processes, sorted.
    var liveVersions: [Int] { processes.values.map(\.version).sorted() }

    var summary: StatusSummary { StatusSummary.of(machine.facts) }

    /// The version serving (applied).
    var servingVersion: Int? { machine.applied.flatMap { version(of: $0.hash) } }
}
