import Foundation
import Logging
import MooringTesting
@testable import MooringController

/// What a test of the controller's loop starts from: a temporary directory holding a Git
/// repository whose `main` has `manifests/iris.yaml` at one commit, and a prepared state
/// directory beside it, locked as `mooring run` locks it. ``controller(runner:clock:now:)``
/// makes a controller on both. ``remove()`` deletes everything.
struct LoopFixture {
    let directory: TemporaryDirectory
    let repo: GitFixture
    let state: URL
    /// The commit that added the manifest.
    let first: String
    private let lock: StateLock

    init(prefix: String, manifest: String) throws {
        directory = try TemporaryDirectory(prefix: prefix)
        repo = try GitFixture(at: directory.appending("repo"))
        try repo.write("manifests/iris.yaml", manifest)
        first = try repo.commitAll("iris v1")
        state = directory.appending("state")
        lock = try StateLock.acquire(at: try StateDirectory.prepare(at: state).lock)
    }

    func controller(runner: FakeRunner, clock: ManualClock, now: @escaping @Sendable () -> Date = Date.init) throws -> Controller {
        try Controller(
            configuration: ControllerConfiguration(repository: repo.directory.path, reference: .branch("main"), stateDirectory: state),
            runner: runner, logger: Logger(label: "test"), clock: clock, now: now)
    }

    func remove() {
        withExtendedLifetime(lock) { directory.remove() }
    }
}
