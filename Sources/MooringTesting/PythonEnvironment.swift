import Foundation

/// A virtualenv under `.build/` with third-party Python packages from PyPI (MLServer,
/// mlflow, moto), made by `scripts/python-venv.sh` the first time a test asks for it.
///
/// A missing package is installed, never skipped: when PyPI cannot be reached the test
/// that needs it fails with pip's output.
public enum PythonEnvironment {
    /// The python of the virtualenv `name` holding exactly `packages` (pinned versions).
    public static func python(_ name: String, packages: [String]) throws -> String {
        let root = MooringBinary.packageRoot
        let script = root.appendingPathComponent("scripts/python-venv.sh").path
        let result = try runCommand("/bin/bash", [script, name] + packages)
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !path.isEmpty, FileManager.default.isExecutableFile(atPath: path) else {
            throw PythonEnvironmentError(message: "scripts/python-venv.sh \(name) \(packages.joined(separator: " ")) failed (exit \(result.status)):\n\(result.output)")
        }
        return path
    }
}

/// A virtualenv could not be made; the message has pip's output.
public struct PythonEnvironmentError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
