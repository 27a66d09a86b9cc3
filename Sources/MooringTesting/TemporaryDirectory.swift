import Foundation

/// A directory under the system temp dir, unique per call, removed by `remove()`.
///
/// Tests create one per test and remove it in a `defer`, so nothing a test writes
/// outlives it.
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute URL.
    public let url: URL

    /// The directory's absolute path.
    public var path: String { url.path }

    /// Creates a fresh, empty directory whose name starts with `prefix`.
    public init(prefix: String = "mooring-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let created else {
            throw TestingError("mkdtemp failed for prefix \(prefix): errno \(errno)")
        }
        // Resolve symlinks (/tmp may be one) so paths compare equal to what processes report.
        self.url = URL(fileURLWithPath: created).resolvingSymlinksInPath()
    }

    /// A URL inside the directory.
    public func appending(_ relative: String) -> URL {
        url.appendingPathComponent(relative)
    }

    /// Writes `contents` to `relative`, creating intermediate directories.
    @discardableResult
    public func write(_ relative: String, _ contents: String) throws -> URL {
        let file = appending(relative)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
        return file
    }

    /// Removes the directory and everything in it, making read-only parts writable first.
    public func remove() {
        _ = try? runCommand("/bin/chmod", ["-R", "u+w", path])
        try? FileManager.default.removeItem(at: url)
    }
}

/// An error raised by a test helper, with a message that says what went wrong.
public struct TestingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
