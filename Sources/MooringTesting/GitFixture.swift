import Foundation

/// A real Git repository in a temporary directory, driven through the `git` CLI with
/// the user's and system's configuration shut out (`GIT_CONFIG_GLOBAL=/dev/null`,
/// `GIT_CONFIG_NOSYSTEM=1`), so tests behave the same on every machine.
public struct GitFixture: Sendable {
    /// The repository's work tree.
    public let directory: URL

    /// The environment every `git` call runs with.
    public static let environment: [String: String] = [
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Mooring Test",
        "GIT_AUTHOR_EMAIL": "test@mooring.invalid",
        "GIT_COMMITTER_NAME": "Mooring Test",
        "GIT_COMMITTER_EMAIL": "test@mooring.invalid",
        "GIT_TERMINAL_PROMPT": "0",
    ]

    /// Creates a repository at `directory` with `branch` as its initial branch.
    public init(at directory: URL, branch: String = "main", bare: Bool = false) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var args = ["init", "-q", "-b", branch]
        if bare { args.append("--bare") }
        args.append(directory.path)
        try Self.git(args, in: nil)
    }

    /// Runs `git` with `arguments` in the repository and returns its trimmed stdout.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try Self.git(arguments, in: directory)
    }

    /// Runs `git` with `arguments` in the repository and returns its trimmed stdout.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        try Self.git(arguments, in: directory)
    }

    /// Runs `git` with the fixture environment; throws with git's stderr when it fails.
    @discardableResult
    public static func git(_ arguments: [String], in directory: URL?) throws -> String {
        var args = arguments
        if let directory { args = ["-C", directory.path] + args }
        let result = try runCommand("/usr/bin/git", args, environment: environment)
        guard result.status == 0 else {
            throw TestingError("git \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a file in the work tree, creating directories as needed.
    public func write(_ relative: String, _ contents: String) throws {
        let file = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
    }

    /// Removes a file or directory from the work tree.
    public func remove(_ relative: String) throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent(relative))
    }

    /// Stages everything and commits; returns the new commit's full SHA.
    @discardableResult
    public func commitAll(_ message: String) throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }

    /// The full SHA `rev` resolves to.
    public func revParse(_ rev: String = "HEAD") throws -> String {
        try git("rev-parse", rev)
    }
}
