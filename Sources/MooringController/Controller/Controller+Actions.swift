import Foundation
import MooringStatus
import MooringSupervisor

extension Controller {
    /// Carries out one action of a recorded transition. Starts, stops and preparations run
    /// as work items (off the loop); their outcomes come back as messages.
    func schedule(_ action: DeploymentAction, for name: String) {
        switch action {
        case let .prepare(revision):
            let context = self.context
            let inbox = inboxContinuation
            let rollout = machines[name]?.rollout
            // What every machine names is only needed to make room in the artifact cache for a
            // remote model (``prepare``); gathering it for each of 1,000 repository-path
            // deployments cost as much as their whole start-up.
            let needsRoom = rollout?.target.spec.model?.location.isRemote == true && context.configuration.artifacts.cacheBudgetBytes != nil
            let inUse = needsRoom ? artifactURIsInUse() : []
            workContinuation.yield {
                let failure = await Self.prepare(name, revision: revision, rollout: rollout, inUse: inUse, context: context) { detail in
                    inbox.yield(.input(name, .preparing(revision: revision, detail: detail)))
                }
                inbox.yield(.input(name, .prepared(revision: revision, failure: failure)))
            }
        case let .start(key, target):
            let id = replicaID(name, key)
            guard startsInFlight.insert(id).inserted else { return }
            let context = self.context
            let inbox = inboxContinuation
            workContinuation.yield {
                let outcome = await Self.start(id, target: target, context: context)
                inbox.yield(.startDone(name, key, outcome))
            }
        case let .stop(key, why):
            let id = replicaID(name, key)
            if startsInFlight.contains(id) {
                stopWhenStarted.insert(id)
                return
            }
            guard stopsInFlight.insert(id).inserted else { return }
            let runner = context.runner
            let logger = context.logger
            let inbox = inboxContinuation
            let layout = context.layout
            workContinuation.yield {
                logger.debug("stopping replica \(id): \(why)")
                await runner.stop(id)
                // Stopped for good (a restart of its process keeps the directory).
                let scratch = layout.scratchDirectory(deployment: name, generation: key.generation, replica: key.index)
                if let problem = ScratchDirectories.remove(scratch, root: layout.scratch) {
                    logger.warning("\(problem); remove it by hand, nothing else depends on it")
                }
                inbox.yield(.stopDone(name, key))
            }
        case let .runTests(generation, target, ports):
            let inbox = inboxContinuation
            let hostVariables = context.renderer.hostVariables
            workContinuation.yield {
                let (results, failure) = await ModelGate.run(target, ports: ports.map { ($0.index, $0.port) }, hostVariables: hostVariables)
                inbox.yield(.input(name, .tested(generation: generation, results: results, failure: failure)))
            }
        case let .measureCanary(generation):
            let inbox = inboxContinuation
            let dataPlane = self.dataPlane
            let wanted = machines[name]?.trafficBackend
            workContinuation.yield {
                switch await dataPlane.counters(deployment: name, generation: generation, wanted: wanted) {
                case let .success(servers):
                    inbox.yield(.input(name, .canaryStats(generation: generation, servers: servers, failure: nil)))
                case let .failure(problem):
                    inbox.yield(.input(name, .canaryStats(generation: generation, servers: [:], failure: problem.description)))
                }
            }
        case let .wake(at):
            if let scheduled = scheduledWakes[name], scheduled <= at, scheduled > now() { return }
            scheduledWakes[name] = at
            let delay = max(0, at.timeIntervalSince(now()))
            let clock = self.clock
            let inbox = inboxContinuation
            workContinuation.yield { [weak self] in
                do { try await clock.sleep(for: .milliseconds(Int64(delay * 1000) + 1)) } catch { return }
                await self?.woke(name, at: at)
                inbox.yield(.input(name, .tick))
            }
        case let .event(type, reason, message):
            context.log(type, message, deployment: name)
            if reason == .rolloutSucceeded { collectArtifacts("after a rollout of \(name)") }
        case .history, .delete:
            break
        }
    }

    private func woke(_ name: String, at: Date) {
        if scheduledWakes[name] == at { scheduledWakes[name] = nil }
    }

    /// Exports the revision, takes its ports (the main one and `spec.ports`), makes its
    /// scratch directory, renders and spawns one replica.
    static func start(_ id: ReplicaID, target: Target, context: ControllerContext) async -> StartOutcome {
        do {
            _ = try await context.export(target.revision)
        } catch {
            return .failed("cannot export revision \(short(target.revision)): \(error)", waiting: false)
        }
        let names = target.spec.ports ?? []
        let allocated: [Int]
        do {
            allocated = try await context.runner.allocatePorts(1 + names.count)
        } catch let error as SupervisorError where error.code == .noFreePort {
            return .failed("\(error)", waiting: true)
        } catch {
            return .failed("\(error)", waiting: false)
        }
        func giveBack() async { for port in allocated { await context.runner.releasePort(port) } }
        guard let port = allocated.first else { return .failed("no port was handed out", waiting: true) }
        let ports = Dictionary(uniqueKeysWithValues: zip(names, allocated.dropFirst()))
        let modelPath: String?
        do {
            modelPath = try await context.artifactPath(for: target.spec.model)
        } catch {
            await giveBack()
            return .failed("\(error)", waiting: false)
        }
        let spec = context.renderer.render(target.spec, replica: id.replica, port: port, ports: ports, revision: target.revision,
                                           generation: id.generation, specHash: target.hash, modelPath: modelPath)
        do {
            try ScratchDirectories.make(context.layout.scratchDirectory(deployment: id.deployment, generation: id.generation, replica: id.replica))
        } catch {
            await giveBack()
            return .failed("\(error)", waiting: false)
        }
        do {
            let snapshot = try await context.runner.start(id, spec: spec)
            guard let identity = snapshot.identity else {
                return .failed("the supervisor reported no process for it", waiting: false)
            }
            return .started(port: port, ports: ports, identity: identity, at: snapshot.startedAt ?? Date())
        } catch {
            await giveBack()
            return .failed("\(error)", waiting: false)
        }
    }
}
