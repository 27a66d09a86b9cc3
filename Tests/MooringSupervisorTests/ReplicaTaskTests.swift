import Synchronization
import Testing
@testable import MooringSupervisor

/// A replica's supervision runs as a child of the supervisor's task group, yet is
/// cancelled and awaited on its own, as a task would be.
@Suite struct ReplicaTaskTests {
    @Test func cancellingOneReplicaTaskLeavesTheOthersRunning() async throws {
        let first = ReplicaTask { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) } }
        let second = ReplicaTask { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) } }
        let group = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await first.run() }
                group.addTask { await second.run() }
            }
        }
        first.cancel()
        await first.value
        // The second is still running: its end has not come.
        let ended = Mutex(false)
        let watcher = Task { await second.value; ended.withLock { $0 = true } }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!ended.withLock { $0 })
        second.cancel()
        await watcher.value
        #expect(ended.withLock { $0 })
        await group.value
    }

    @Test func awaitingAFinishedTaskReturnsAtOnce() async {
        let task = ReplicaTask {}
        await task.run()
        await task.value
        task.cancel() // after the end: nothing to do
    }
}
