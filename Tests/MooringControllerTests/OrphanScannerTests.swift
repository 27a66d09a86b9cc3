import Foundation
import MooringController
import MooringTesting
import Testing

/// Recovery finds model processes by their marker, and stops whole process groups.
struct OrphanScannerTests {
    @Test func findsMarkedProcessesAndStopsTheirGroups() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.appending("state")
        // A marked "model" that starts a grandchild in its own process group (ManagedProcess
        // gives it a group of its own), and an unmarked bystander.
        let marked = try ManagedProcess(
            executable: "sh", arguments: ["-c", "sleep 60 & sleep 60; wait"],
            environment: [OrphanScanner.markerVariable: state.path], outputDirectory: dir.url, name: "marked")
        let bystander = try ManagedProcess(
            executable: "sleep", arguments: ["60"],
            environment: [OrphanScanner.markerVariable: state.path + "-other"], outputDirectory: dir.url, name: "bystander")
        defer {
            _ = marked.kill()
            _ = bystander.kill()
        }
        #expect(await waitUntil { OrphanScanner.scan(stateDirectory: state).count >= 3 })
        let found = OrphanScanner.scan(stateDirectory: state)
        #expect(found.contains { $0.pid == marked.pid })
        #expect(!found.contains { $0.pid == bystander.pid })
        #expect(Set(found.map(\.processGroup)) == [marked.pid])

        await OrphanScanner.terminate(groups: Set(found.map(\.processGroup)), grace: .seconds(2))
        #expect(await marked.waitForExit(timeout: .seconds(10)) != nil)
        #expect(await waitUntil { OrphanScanner.scan(stateDirectory: state).isEmpty })
        #expect(!bystander.hasExited)
    }
}
