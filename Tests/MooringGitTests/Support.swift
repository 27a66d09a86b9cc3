import Foundation
import Logging
import MooringGit
import MooringTesting
import Testing

/// Every log line a source wrote, with its metadata, for checking that no secret leaks.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }

    /// A logger that records everything down to `trace`.
    func logger() -> Logger {
        var logger = Logger(label: "mooring.git.test") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        recorder.append("\(event.level) \(event.message) \(merged)")
    }
}

/// A source over `location` with its state in `state`.
func makeSource(
    _ location: MooringGit.SourceLocation, reference: GitReference = .defaultBranch, state: TemporaryDirectory,
    credentials: GitCredentials = .none, stallTimeout: Duration = .seconds(120), logs: LogRecorder = LogRecorder()
) throws -> GitSource {
    try GitSource(
        configuration: GitSourceConfiguration(
            location: location, reference: reference, stateDirectory: state.url,
            credentials: credentials, stallTimeout: stallTimeout),
        logger: logs.logger())
}

/// A work-tree repository with `manifests/` holding a couple of files, one commit made.
func manifestRepository(in directory: TemporaryDirectory, name: String = "upstream") throws -> GitFixture {
    let repo = try GitFixture(at: directory.appending(name))
    try repo.write("manifests/iris.yaml", "name: iris\n")
    try repo.write("README.md", "hello\n")
    try repo.commitAll("Add iris")
    return repo
}

/// A local TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
func closedLoopbackPort() throws -> Int {
    Int(try freeLoopbackPort())
}

/// Runs `body` and returns the `GitError` it throws (failing the test when it throws
/// nothing or something else).
func gitError(
    sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> GitError? {
    do {
        try await body()
        Issue.record("expected a GitError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as GitError {
        return error
    } catch {
        Issue.record("expected a GitError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
