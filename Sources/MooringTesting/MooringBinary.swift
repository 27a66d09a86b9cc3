import Foundation

/// The built `mooring` executable that end-to-end tests drive as a user would.
///
/// `make test` sets `MOORING_BIN`; without it the debug build under the package root is used.
public enum MooringBinary {
    /// The package root (the directory holding Package.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // MooringTesting
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// Path of the executable.
    public static var path: String {
        if let configured = ProcessInfo.processInfo.environment["MOORING_BIN"], !configured.isEmpty {
            return configured
        }
        return packageRoot.appendingPathComponent(".build/debug/mooring").path
    }

    /// The test-only `mooring-supervisor-host` executable, built next to `mooring`: a
    /// supervisor in a process of its own.
    public static var supervisorHostPath: String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("mooring-supervisor-host").path
    }

    /// Runs `mooring` with `arguments` to completion.
    @discardableResult
    public static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        in directory: URL? = nil
    ) throws -> CommandResult {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestingError("no mooring binary at \(path); build it with `swift build` or run `make test`")
        }
        return try runCommand(path, arguments, environment: environment, currentDirectory: directory)
    }

    /// Runs `mooring` with `arguments` to completion without blocking a cooperative thread.
    @discardableResult
    public static func runAsync(
        _ arguments: [String],
        environment: [String: String] = [:],
        in directory: URL? = nil
    ) async throws -> CommandResult {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestingError("no mooring binary at \(path); build it with `swift build` or run `make test`")
        }
        return try await runCommandOffPool(path, arguments, environment: environment, currentDirectory: directory)
    }
}
