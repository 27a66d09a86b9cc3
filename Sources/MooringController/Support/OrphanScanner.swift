import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds model processes this state directory started that no record accounts for — a
/// controller killed between spawning a replica and recording it leaves one — so they can
/// be stopped instead of serving forever unmanaged.
///
/// Every replica is started with `MOORING_MANAGED_BY=<state dir>` in its environment; the
/// scanner reads `/proc/<pid>/environ` for it.
public enum OrphanScanner {
    /// The environment variable that marks a replica process and its children.
    public static let markerVariable = "MOORING_MANAGED_BY"

    /// The generation of the replica a process belongs to.
    public static let generationVariable = "MOORING_GENERATION"
    /// The spec hash the replica runs.
    public static let specHashVariable = "MOORING_SPEC_HASH"

    /// A process carrying the marker.
    public struct Found: Hashable, Sendable {
        public var pid: Int32
        public var processGroup: Int32
        /// Its `MOORING_*` and `PORT` variables: which deployment, generation, replica,
        /// spec hash and revision it serves, and on which port.
        public var markers: [String: String] = [:]

        public init(pid: Int32, processGroup: Int32, markers: [String: String] = [:]) {
            self.pid = pid
            self.processGroup = processGroup
            self.markers = markers
        }

        /// Whether it leads its process group (the replica's own process, not a child).
        public var isGroupLeader: Bool { pid == processGroup }

        /// Its parent process, from `/proc/<pid>/stat` (0 when it cannot be read).
        public var parent: Int32 { OrphanScanner.parent(of: pid) }
    }

    /// The parent of `pid` (field 4 of `/proc/<pid>/stat`, counted after the last `)`),
    /// 0 when it cannot be read.
    public static func parent(of pid: Int32) -> Int32 {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
              let close = data.lastIndex(of: UInt8(ascii: ")")) else { return 0 }
        let fields = data[data.index(after: close)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return 0 }
        return Int32(String(decoding: fields[1], as: UTF8.self)) ?? 0
    }

    /// Whether `pid` is a running `mooring run` (a controller), from its command line.
    public static func isController(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard arguments.count > 1 else { return false }
        return (arguments[0] as NSString).lastPathComponent == "mooring" && arguments[1] == "run"
    }

    /// Every live process (other than this one) whose environment carries the marker for `stateDirectory`.
    public static func scan(stateDirectory: URL) -> [Found] {
        let needle = Array("\(markerVariable)=\(stateDirectory.standardizedFileURL.path)".utf8)
        let me = getpid()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [Found] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != me else { continue }
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let variables = data.split(separator: 0, omittingEmptySubsequences: true)
            guard variables.contains(where: { Array($0) == needle }) else { continue }
            let group = getpgid(pid)
            guard group > 0 else { continue }
            var markers: [String: String] = [:]
            for variable in variables where variable.starts(with: Array("MOORING_".utf8)) || variable.starts(with: Array("PORT".utf8)) {
                let text = String(decoding: variable, as: UTF8.self)
                guard let equals = text.firstIndex(of: "=") else { continue }
                markers[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            found.append(Found(pid: pid, processGroup: group, markers: markers))
        }
        return found
    }

    /// SIGTERM to each group, up to `grace` for them to go, then SIGKILL to what remains.
    ///
    /// `reapChildren`: members that are this process's own children are reaped as they exit.
    /// `mooring down` through the API runs in the controller, which started the models and
    /// whose supervisor no longer reaps them: without this their zombies would keep every
    /// group "alive" for the whole grace period.
    public static func terminate(groups: Set<Int32>, grace: Duration, reapChildren: Bool = false) async {
        guard !groups.isEmpty else { return }
        for group in groups where group > 1 { kill(-group, SIGTERM) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while clock.now < deadline {
            if reapChildren {
                for group in groups where group > 1 {
                    while waitpid(-group, nil, WNOHANG) > 0 {}
                }
            }
            if groups.allSatisfy({ kill(-$0, 0) != 0 }) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        for group in groups where group > 1 { kill(-group, SIGKILL) }
    }
}
