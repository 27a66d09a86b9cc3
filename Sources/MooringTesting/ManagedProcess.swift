import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process for tests: started with `posix_spawn` in its own process group, stdin
/// from `/dev/null`, stdout and stderr written to files, and killed and reaped by `kill()`
/// (also run from `deinit`) so no test leaves it behind.
///
/// Use it as `let child = try ManagedProcess(...); defer { child.kill() }`.
public final class ManagedProcess: @unchecked Sendable {
    /// How a reaped child ended.
    public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
        /// The child called `exit` with this code.
        case exited(Int32)
        /// The child was killed by this signal.
        case signaled(Int32)

        /// "exited with code N" or "killed by signal N".
        public var description: String {
            switch self {
            case .exited(let code): "exited with code \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// The child's pid, which is also its process-group id.
    public let pid: pid_t
    /// The file the child's stdout goes to.
    public let stdoutURL: URL
    /// The file the child's stderr goes to.
    public let stderrURL: URL

    private let lock = NSLock()
    private var reaped: ExitStatus?

    /// Starts `executable` (a path, or a name looked up on `PATH`) with `arguments`.
    ///
    /// `environment` entries are added to (and override) this process's environment.
    /// Output goes to `<outputDirectory>/<name>.stdout` and `.stderr`.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String] = [:],
        outputDirectory: URL,
        name: String = "process"
    ) throws {
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let path = try Self.resolve(executable, searchPath: env["PATH"] ?? "/usr/bin:/bin")
        stdoutURL = outputDirectory.appendingPathComponent("\(name).stdout")
        stderrURL = outputDirectory.appendingPathComponent("\(name).stderr")

        #if canImport(Darwin)
        var attributes: posix_spawnattr_t? = nil
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        // Own process group (so the whole tree can be signalled), an empty signal mask and
        // default dispositions (the test runner may block or ignore some signals).
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Descriptors the test runner opened without O_CLOEXEC would leak into the child;
        // posix_spawn_file_actions_addclosefrom_np is not visible to Swift on glibc 2.36.

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw TestingError("posix_spawn \(path) failed: \(String(cString: strerror(result)))")
        }
        pid = child
    }

    deinit { kill() }

    /// Returns how the child ended if it has ended (reaping it), or `nil` while it runs.
    public func poll() -> ExitStatus? {
        lock.lock()
        defer { lock.unlock() }
        return reapLocked(blocking: false)
    }

    /// Whether the child has ended.
    public var hasExited: Bool { poll() != nil }

    /// Sends `signal` to the child only (not its group), unless it was already reaped.
    public func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if reaped == nil { _ = posixKill(pid, signal) }
    }

    /// Waits up to `timeout` for the child to end; returns how it ended, or `nil` if it
    /// still runs at the deadline.
    public func waitForExit(timeout: Duration = .seconds(30)) async -> ExitStatus? {
        _ = await waitUntil(timeout: timeout) { self.poll() != nil }
        return poll()
    }

    /// SIGKILLs the child's whole process group and reaps the child. Safe to call more than
    /// once and after the child has ended; returns how the child ended.
    @discardableResult
    public func kill() -> ExitStatus? {
        lock.lock()
        defer { lock.unlock() }
        if reaped == nil {
            _ = posixKill(-pid, SIGKILL)
            return reapLocked(blocking: true)
        }
        // The leader is gone; anything it left in its group goes too.
        _ = posixKill(-pid, SIGKILL)
        return reaped
    }

    /// Everything the child has written to stdout so far.
    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Everything the child has written to stderr so far.
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits up to `timeout` for a complete stdout line containing `text` and returns it;
    /// `nil` if the child ends or the deadline passes first.
    public func waitForStdoutLine(containing text: String, timeout: Duration = .seconds(60)) async -> String? {
        var found: String?
        _ = await waitUntil(timeout: timeout) {
            let output = self.stdout
            // Only lines ended by a newline are complete.
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            found = lines.first { $0.contains(text) }.map(String.init)
            return found != nil || self.hasExited
        }
        return found
    }

    private func reapLocked(blocking: Bool) -> ExitStatus? {
        if let reaped { return reaped }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { break }
            if result == -1 && errno == EINTR { continue }
            if result == -1 {
                // ECHILD: someone else reaped it; report it as gone rather than hang.
                reaped = .signaled(0)
                return reaped
            }
            return nil  // WNOHANG and still running
        }
        let signal = status & 0x7f
        reaped = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        return reaped
    }

    private static func resolve(_ executable: String, searchPath: String) throws -> String {
        if executable.contains("/") { return executable }
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw TestingError("\(executable) was not found on PATH (\(searchPath))")
    }
}

/// `kill(2)`, reachable from inside `ManagedProcess` (whose own `kill()` hides the C name).
private func posixKill(_ pid: pid_t, _ signal: Int32) -> Int32 {
    kill(pid, signal)
}
