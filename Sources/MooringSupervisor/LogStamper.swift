import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Puts a UTC timestamp in front of every line a replica writes
/// (`2026-11-23T19:42:04.125Z <line>`), as a small process of its own between the
/// replica's stdout/stderr (a pipe) and its log file.
///
/// It runs in a session of its own and ignores SIGTERM, SIGINT and SIGHUP: it ends when
/// every writer of the pipe is gone (end of file), after writing what they wrote last —
/// so a crash's last lines are in the log — and it needs no controller: it outlives a
/// controller restart like the replica does. `mooring run` uses its own binary
/// (`mooring __stamp-log`); a supervisor without a stamper lets replicas write to the
/// file directly, without timestamps.
public struct LogStamper: Sendable, Hashable {
    /// The program and its arguments.
    public var executable: String
    public var arguments: [String]

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// This very binary (`/proc/self/exe`, resolved now so an upgrade that replaces the
    /// file later does not matter) with `arguments`; nil when it cannot be resolved.
    public static func thisBinary(arguments: [String]) -> LogStamper? {
        guard let path = OwnedPath.resolvedExecutable() else { return nil }
        return LogStamper(executable: path, arguments: arguments)
    }

    /// The program `helper` installed in the same directory as this binary (`mooring run`:
    /// `mooring-stamp-log`, the same loop as ``run(input:output:now:)`` in a small C program,
    /// built and installed with `mooring`); nil when there is none there. One stamper runs
    /// per replica: starting the whole Swift binary for each costs about 20 ms of CPU and
    /// 29 MB of memory, the helper well under a millisecond and a few hundred kilobytes.
    public static func besideThisBinary(_ helper: String) -> LogStamper? {
        guard let path = OwnedPath.resolvedExecutable() else { return nil }
        let candidate = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(helper).path
        var info = stat()
        guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 else { return nil }
        return LogStamper(executable: candidate, arguments: [])
    }

    /// The stamping loop: reads `input` until end of file and writes each line to
    /// `output` with its timestamp, a line at a time (a partial last line gets a newline).
    /// A line longer than 64 KiB is split. Returns when the input ends or the output fails.
    public static func run(input: Int32 = 0, output: Int32 = 1, now: () -> Date = Date.init) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var pending: [UInt8] = []
        var atLineStart = true
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            // Only whole lines are written (a reader following the log never sees half a
            // line); the timestamp is the time the line's first byte arrived.
            var out: [UInt8] = []
            for byte in buffer[..<count] {
                if atLineStart {
                    pending += Array(ReplicaLogMarker.timestamp(now()).utf8) + [0x20]
                    atLineStart = false
                }
                pending.append(byte)
                if byte == 0x0A || pending.count >= 65_536 {
                    out += pending
                    if byte != 0x0A { out.append(0x0A) }
                    pending.removeAll(keepingCapacity: true)
                    atLineStart = true
                }
            }
            guard writeAll(out, to: output) else { return }
        }
        if !pending.isEmpty { _ = writeAll(pending + [0x0A], to: output) }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}

extension LogStamper {
    /// Ignores SIGTERM, SIGINT, SIGHUP and SIGPIPE, as the stamper process must (it ends
    /// at end of file, never at a signal a stop sends).
    public static func ignoreStopSignals() {
        for signalNumber in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { signal(signalNumber, SIG_IGN) }
    }
}

/// Where this process's executable is.
enum OwnedPath {
    static func resolvedExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? nil : path
    }
}
