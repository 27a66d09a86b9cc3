import Foundation

/// Debian's `chromium`, headless, for the tests that load the status page in a real
/// browser (installed by `scripts/install-deps.sh`). Each run gets a profile directory of
/// its own and at most `deadline` to finish, so a stuck browser fails the test.
public struct HeadlessChromium: Sendable {
    /// The browser's path.
    public let executable: String
    /// Where its profiles go (removed with the test's temporary directory).
    public let profiles: URL

    /// Finds `chromium` on the PATH; a missing browser is an error that says how to get it.
    public init(profiles: URL) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").flatMap { dir in
            ["chromium", "chromium-browser"].map { "\(dir)/\($0)" }
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestingError("no chromium on the PATH (\(path)): run scripts/install-deps.sh, which installs Debian's chromium")
        }
        executable = found
        self.profiles = profiles
    }

    /// Renders `url` into a PNG at `file`, `width`×`height` pixels.
    public func screenshot(_ url: String, to file: URL, width: Int = 1280, height: Int = 800) async throws {
        let result = try await run(["--screenshot=\(file.path)", "--window-size=\(width),\(height)", url])
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw TestingError("chromium wrote no screenshot to \(file.path) (exit \(result.status)):\n\(result.stderr.suffix(4000))")
        }
    }

    /// The DOM of `url` once loaded, serialized as HTML.
    public func dumpDOM(_ url: String) async throws -> String {
        let result = try await run(["--dump-dom", url])
        guard result.status == 0 else {
            throw TestingError("chromium --dump-dom \(url) exited \(result.status):\n\(result.stderr.suffix(4000))")
        }
        return result.stdout
    }

    private func run(_ arguments: [String], deadline: Duration = .seconds(120)) async throws -> CommandResult {
        let profile = profiles.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let executable = self.executable
        // `timeout` ends a browser that hangs (and, with --kill-after, one that ignores SIGTERM).
        let all = ["--kill-after=10", String(deadline.components.seconds), executable,
                   "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                   "--user-data-dir=\(profile.path)"] + arguments
        let result = try await runCommandOffPool("/usr/bin/timeout", all, environment: ["HOME": profile.path])
        if result.status == 124 || result.status == 137 {
            throw TestingError("chromium \(arguments.joined(separator: " ")) did not finish within \(deadline):\n\(result.stderr.suffix(4000))")
        }
        return result
    }
}

/// The header of a PNG file: its signature checked, the width and height of its IHDR chunk.
public struct PNGHeader: Sendable, Equatable {
    public let width: Int
    public let height: Int

    /// A header with this size (to compare with).
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Decodes `data`'s header; throws if it is not a PNG.
    public init(_ data: Data) throws {
        let bytes = [UInt8](data.prefix(24))
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count == 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw TestingError("not a PNG: the file does not start with the PNG signature and an IHDR chunk")
        }
        func bigEndian(_ offset: Int) -> Int {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        width = bigEndian(16)
        height = bigEndian(20)
    }
}
