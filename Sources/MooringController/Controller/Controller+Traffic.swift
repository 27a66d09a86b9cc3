import Foundation
import MooringTraffic

extension Controller {
    /// How often the data plane is made equal to the machines and draining servers are
    /// checked for requests left.
    static let trafficInterval: Duration = .milliseconds(200)

    /// Every deployment's wanted HAProxy backend, from the machines.
    func trafficBackends() -> [TrafficBackend] {
        machines.values.compactMap(\.trafficBackend).sorted { $0.name < $1.name }
    }

    /// The data-plane loop: level-triggered — whatever happened, HAProxy is made equal to
    /// what the machines say, and what it reports (an idle draining server, an endpoint
    /// that cannot be served) comes back as inputs through the inbox. While some deployment
    /// has a stable endpoint it runs every ``trafficInterval`` (draining servers are watched
    /// for their last request); while none has, it sleeps until a drain of the inbox changed
    /// some machine (``trafficWakes``) and looks an interval later, so a controller without
    /// endpoints never wakes for it when nothing happens. The first look always happens: an
    /// HAProxy an earlier controller left running is adopted, and stopped when no
    /// deployment has an endpoint any more.
    func trafficLoop() async {
        var active = true
        var wakes = trafficWakes.makeAsyncIterator()
        while !Task.isCancelled {
            let backends = trafficBackends()
            if !backends.isEmpty || active {
                active = !backends.isEmpty
                let report = await dataPlane.reconcile(backends)
                feed(report)
            }
            if !active {
                guard await wakes.next() != nil else { return }
            }
            // While active, a look every interval; woken, one look per interval however many
            // drains woke it (1,000 deployments starting drain the inbox hundreds of times).
            do { try await Task.sleep(for: Self.trafficInterval) } catch { return }
        }
    }

    private func feed(_ report: DataPlane.Report) {
        for (name, servers) in report.idle {
            guard let machine = machines[name] else { continue }
            for server in servers {
                guard let key = DeploymentMachine.replicaKey(serverName: server),
                      let slot = machine.replicas[key], slot.drainingSince != nil, !slot.drained else { continue }
                inboxContinuation.yield(.input(name, .drained(key)))
            }
        }
        for (name, problem) in report.problems {
            guard let machine = machines[name], machine.trafficProblem != problem else { continue }
            inboxContinuation.yield(.input(name, .traffic(problem)))
        }
    }
}
