import Foundation

/// The fields of `/proc/<pid>/stat` the supervisor needs.
struct ProcStat: Sendable, Equatable {
    /// Field 3: R, S, D, Z, T, …
    var state: Character
    /// Field 4.
    var parent: Int32
    /// Field 5.
    var processGroup: Int32
    /// Field 6.
    var session: Int32
    /// Field 22, clock ticks after boot.
    var startTime: UInt64

    /// Whether the process has exited and waits to be reaped.
    var isZombie: Bool { state == "Z" || state == "X" }

    /// Reads `/proc/<pid>/stat`; nil when the process does not exist (or cannot be read).
    static func read(pid: Int32) -> ProcStat? {
        guard pid > 0,
              let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
              let text = String(data: data, encoding: .utf8)
        else { return nil }
        return parse(text)
    }

    /// Parses a stat line. The command name (field 2) may hold spaces and parentheses, so
    /// fields are counted from the last `)`.
    static func parse(_ text: String) -> ProcStat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // rest[0] is field 3.
        guard rest.count >= 20,
              let state = rest[0].first,
              let parent = Int32(rest[1]),
              let group = Int32(rest[2]),
              let session = Int32(rest[3]),
              let start = UInt64(rest[19])
        else { return nil }
        return ProcStat(state: state, parent: parent, processGroup: group, session: session, startTime: start)
    }

    /// The pids of every process (zombies included) whose parent is `parent`.
    static func children(of parent: Int32) -> [Int32] {
        allPids().filter { read(pid: $0)?.parent == parent }
    }

    /// Every pid in `/proc`.
    static func allPids() -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }
    }

    /// The pids of every live (non-zombie) process whose process group is `group`.
    static func liveMembers(ofGroup group: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = read(pid: pid) else { return false }
            return stat.processGroup == group && !stat.isZombie
        }
    }
}

extension ProcessIdentity {
    /// Reads the identity of the live process `pid` from `/proc`; nil when it does not exist.
    public static func current(pid: Int32) -> ProcessIdentity? {
        guard let stat = ProcStat.read(pid: pid) else { return nil }
        return ProcessIdentity(pid: pid, startTime: stat.startTime, processGroup: stat.processGroup)
    }
}

extension ProcessIdentity {
    /// When the process started, from its start time in clock ticks and the boot time in
    /// `/proc/stat` (accurate to about a second); nil if either cannot be read.
    public var startDate: Date? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let bootTime = Double(line.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces))
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticks > 0 else { return nil }
        return Date(timeIntervalSince1970: bootTime + Double(startTime) / ticks)
    }
}
