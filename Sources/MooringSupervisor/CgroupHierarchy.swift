import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cgroup v2 hierarchy: where it is mounted and whether this process may use it.
enum CgroupHierarchy {
    /// Why no usable hierarchy was found.
    struct Unavailable: Error {
        var message: String
    }

    /// Mount points of cgroup v2 (`cgroup2` in `/proc/self/mountinfo`), `/sys/fs/cgroup`
    /// first (a pure v2 host); a hybrid host mounts it at `/sys/fs/cgroup/unified`.
    static func mounts() -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        var found: [String] = []
        for line in text.split(separator: "\n") {
            // `id parent major:minor root mountpoint options [optional…] - type source superoptions`
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].split(separator: " ").first == "cgroup2" else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5 else { continue }
            found.append(String(fields[4]).replacingOccurrences(of: "\\040", with: " "))
        }
        return found.filter { $0 == "/sys/fs/cgroup" } + found.filter { $0 != "/sys/fs/cgroup" }
    }

    /// This process's cgroup in the v2 hierarchy (`0::/path` in `/proc/self/cgroup`).
    static func ownPath() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("0::") {
            return String(line.dropFirst(3))
        }
        return nil
    }

    /// Creates (or finds) the scope's directory, `mooring-<hash>`, where this process may
    /// create cgroups and move processes into them: at the root of the hierarchy (so the
    /// replicas are not in the controller's own cgroup and outlive a stop of its service),
    /// else under this process's own cgroup (a delegated subtree).
    static func prepareScope(named name: String) -> Result<String, Unavailable> {
        let mounts = mounts()
        guard !mounts.isEmpty else {
            return .failure(Unavailable(message: "no cgroup v2 hierarchy is mounted (none in /proc/self/mountinfo)"))
        }
        var reasons: [String] = []
        for mount in mounts {
            guard FileManager.default.fileExists(atPath: mount + "/cgroup.controllers") else {
                reasons.append("\(mount) has no cgroup.controllers")
                continue
            }
            var parents = [mount]
            if let own = ownPath(), own != "/" { parents.append(mount + own) }
            for parent in parents {
                let directory = parent + "/" + name
                if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                    reasons.append("cannot create \(directory): \(String(cString: strerror(errno)))")
                    continue
                }
                // Moving a process needs write access to cgroup.procs of the common
                // ancestor of where it is (our cgroup) and where it goes.
                guard access(directory + "/cgroup.procs", W_OK) == 0, access(parent + "/cgroup.procs", W_OK) == 0 else {
                    reasons.append("cannot move processes into \(directory)")
                    rmdir(directory)
                    continue
                }
                return .success(directory)
            }
        }
        return .failure(Unavailable(message: reasons.joined(separator: "; ")))
    }

    /// Existing scope directories named `name`, without creating any (for `mooring down`).
    static func existingScopes(named name: String) -> [String] {
        var found: [String] = []
        for mount in mounts() {
            var parents = [mount]
            if let own = ownPath(), own != "/" { parents.append(mount + own) }
            for parent in parents where FileManager.default.fileExists(atPath: parent + "/" + name + "/cgroup.procs") {
                found.append(parent + "/" + name)
            }
        }
        return found
    }

    /// The pids in a cgroup (`cgroup.procs`); empty when it does not exist.
    static func processes(in directory: String) -> [Int32] {
        guard let text = try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    /// Kills every process in the cgroup: `cgroup.kill` (Linux 5.14+), else SIGKILL to each
    /// pid in `cgroup.procs`, repeated while new ones appear (a fork racing the kill), a
    /// few rounds at most.
    static func kill(_ directory: String) {
        let killFile = directory + "/cgroup.kill"
        if FileManager.default.fileExists(atPath: killFile) {
            let fd = open(killFile, O_WRONLY | O_CLOEXEC)
            if fd >= 0 {
                let written = write(fd, "1", 1)
                close(fd)
                if written == 1 { return }
            }
        }
        for _ in 0..<10 {
            let pids = processes(in: directory)
            if pids.isEmpty { return }
            for pid in pids { _ = Glibc.kill(pid, SIGKILL) }
        }
    }

    /// Removes the cgroup if it is empty (a cgroup with processes cannot be removed).
    @discardableResult
    static func remove(_ directory: String) -> Bool {
        rmdir(directory) == 0 || errno == ENOENT
    }
}
