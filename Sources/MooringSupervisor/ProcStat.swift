import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// The process groups with at least one live (non-zombie) member, from one pass over
    /// `/proc` that reads only the state and group of each process. Nil when `/proc`
    /// cannot be listed (then nothing is known to be gone).
    static func liveGroups() -> Set<Int32>? {
        guard let directory = opendir("/proc") else { return nil }
        defer { closedir(directory) }
        var groups = Set<Int32>()
        var buffer = [UInt8](repeating: 0, count: 1024)
        while let entry = readdir(directory) {
            let pid = withUnsafeBytes(of: entry.pointee.d_name) { name -> Int32? in
                var value: Int32 = 0
                for byte in name {
                    if byte == 0 { break }
                    guard byte >= 0x30, byte <= 0x39, value < Int32.max / 10 else { return nil }
                    value = value * 10 + Int32(byte - 0x30)
                }
                return value > 0 ? value : nil
            }
            guard let pid else { continue }
            let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }  // it exited while we listed
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            Glibc.close(fd)
            guard count > 0, let (state, group) = stateAndGroup(buffer[..<count]) else { continue }
            if state != UInt8(ascii: "Z"), state != UInt8(ascii: "X") { groups.insert(group) }
        }
        return groups
    }

    /// Field 3 (state) and field 5 (process group) of a stat line, counted from the last `)`.
    static func stateAndGroup(_ line: ArraySlice<UInt8>) -> (UInt8, Int32)? {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // ") S ppid pgrp ": the state two bytes after the parenthesis, then two numbers.
        var index = close + 2
        guard index < line.endIndex else { return nil }
        let state = line[index]
        var fields: [Int32] = []
        index += 1
        while fields.count < 2, index < line.endIndex {
            while index < line.endIndex, line[index] == UInt8(ascii: " ") { index += 1 }
            var value: Int32 = 0
            var digits = 0
            var negative = false
            if index < line.endIndex, line[index] == UInt8(ascii: "-") { negative = true; index += 1 }
            while index < line.endIndex, line[index] >= 0x30, line[index] <= 0x39, digits < 10 {
                value = value * 10 + Int32(line[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            fields.append(negative ? -value : value)
        }
        guard fields.count == 2 else { return nil }
        return (state, fields[1])
    }
}

extension ProcessIdentity {
    /// Reads the identity of the live process `pid` from `/proc`; nil when it does not
    /// exist or has exited (a zombie not reaped yet is not alive).
    public static func current(pid: Int32) -> ProcessIdentity? {
        guard let stat = ProcStat.read(pid: pid), !stat.isZombie else { return nil }
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
