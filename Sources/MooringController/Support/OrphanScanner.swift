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

    /// A process carrying the marker.
    public struct Found: Hashable, Sendable {
        public var pid: Int32
        public var processGroup: Int32
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
            let matches = data.split(separator: 0, omittingEmptySubsequences: true).contains { Array($0) == needle }
            guard matches else { continue }
            let group = getpgid(pid)
            guard group > 0 else { continue }
            found.append(Found(pid: pid, processGroup: group))
        }
        return found
    }

    /// SIGTERM to each group, up to `grace` for them to go, then SIGKILL to what remains.
    public static func terminate(groups: Set<Int32>, grace: Duration) async {
        guard !groups.isEmpty else { return }
        for group in groups where group > 1 { kill(-group, SIGTERM) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while clock.now < deadline {
            if groups.allSatisfy({ kill(-$0, 0) != 0 }) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        for group in groups where group > 1 { kill(-group, SIGKILL) }
    }
}
