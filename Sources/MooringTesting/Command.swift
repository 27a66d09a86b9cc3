import Foundation

/// The outcome of a finished command: exit status and captured output.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// stdout and stderr together, for messages.
    public var output: String { stdout + stderr }
}

/// Runs `executable` with `arguments` to completion and captures its output.
///
/// `environment` entries are added to (and override) the current environment.
/// Output goes through temporary files, so a chatty command cannot fill a pipe and hang.
@discardableResult
public func runCommand(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String] = [:],
    currentDirectory: URL? = nil
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }

    let outURL = FileManager.default.temporaryDirectory
        .appendingPathComponent("mooring-cmd-\(UUID().uuidString).out")
    let errURL = FileManager.default.temporaryDirectory
        .appendingPathComponent("mooring-cmd-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try? outHandle.close()
    try? errHandle.close()
    let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

/// `runCommand` on a thread of its own, so an async test waiting for a slow command does
/// not hold one of Swift's few cooperative threads (on 2 cores, two blocked threads would
/// starve every other test's tasks).
public func runCommandOffPool(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String] = [:],
    currentDirectory: URL? = nil
) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result {
                try runCommand(executable, arguments, environment: environment, currentDirectory: currentDirectory)
            })
        }
        thread.start()
    }
}

/// Waits until `condition` holds, checking every `interval`, for at most `timeout`.
///
/// Returns whether the condition held. Deadlines are generous: this is for waiting on
/// real processes, not for measuring speed.
public func waitUntil(
    timeout: Duration = .seconds(30),
    interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}
