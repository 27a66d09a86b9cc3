import Foundation
import MooringStore

extension Controller {
    /// Transitions run during one inbox drain but not yet written: their machines are
    /// already in `machines` (so the next message of the drain sees them), their actions
    /// wait for the write.
    struct PendingWrite {
        var transitions: [Transition] = []
        var inputs: [(String, DeploymentInput)] = []
        /// Each deployment's machine before the drain touched it (`nil`: it had none), put
        /// back if the write fails.
        var originals: [String: DeploymentMachine?] = [:]
    }

    /// Handles the messages that arrived together, in order, as ``process(_:)`` handles
    /// each — but their transitions are written in one store transaction at the end
    /// (persist-then-act still holds: no action is carried out before the write), instead of
    /// one transaction per message. With 1,000 deployments starting, a drain holds
    /// hundreds of messages.
    func process(drain messages: [Message]) async {
        guard !messages.isEmpty else { return }
        pendingWrite = PendingWrite()
        for message in messages { await process(message) }
        await flushPendingWrite()
        pendingWrite = nil
    }

    /// Adds run transitions to the drain's write, or writes them now outside a drain
    /// (recovery, tests calling ``process(_:)``).
    func record(_ transitions: [Transition], inputs: [(String, DeploymentInput)]) async {
        let ownWrite = pendingWrite == nil
        if ownWrite { pendingWrite = PendingWrite() }
        for transition in transitions {
            if pendingWrite?.originals.index(forKey: transition.name) == nil {
                pendingWrite?.originals.updateValue(machines[transition.name], forKey: transition.name)
            }
            machines[transition.name] = transition.deletes ? nil : transition.after
        }
        pendingWrite?.transitions.append(contentsOf: transitions)
        pendingWrite?.inputs.append(contentsOf: inputs)
        if ownWrite {
            await flushPendingWrite()
            pendingWrite = nil
        }
    }

    /// Writes what the drain has run so far in one transaction, then carries out its
    /// actions in order. If the write fails, nothing is carried out, the machines go back
    /// to their state before the drain, and the inputs are sent again after a backoff: a
    /// transition is never acted on unrecorded.
    func flushPendingWrite() async {
        guard let batch = pendingWrite, !batch.transitions.isEmpty else { return }
        pendingWrite = PendingWrite()
        guard await write(batch.transitions) else {
            for (name, machine) in batch.originals { machines[name] = machine }
            retryLater(batch.inputs)
            return
        }
        storeFailures = 0
        ControllerMetrics.recorded(batch.transitions.filter(\.changesState), at: now())
        trafficWakeContinuation.yield()
        for transition in batch.transitions {
            context.preparations.track(transition.name, transition.deletes ? nil : transition.after)
            if transition.deletes { scheduledWakes[transition.name] = nil }
            for action in transition.actions { schedule(action, for: transition.name) }
        }
    }
}
