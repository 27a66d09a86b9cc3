import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns a `ReplicaSpec` into a running process in its own session and process group.
enum Spawner {
    /// Spawns replica `id` as described by `spec`, with its log at `spec.logFile`
    /// (rotated first if too big), held together by `containment` (its cgroup joined
    /// before the program starts; its marker in the environment). Throws a
    /// `SupervisorError` that says what to fix. `warn` hears about a cgroup that could not
    /// be joined (the replica then runs with the marker only).
    static func spawn(_ spec: ReplicaSpec, id: ReplicaID, containment: ProcessContainment,
                      warn: (String) -> Void = { _ in }) throws -> ProcessHandle {
        let arguments = spec.arguments.map { $0.replacingOccurrences(of: "{{port}}", with: String(spec.port)) }
        let inherited = spec.inheritsEnvironment ? ProcessInfo.processInfo.environment : [:]
        var environment = inherited.merging(spec.environment) { $1 }
        environment["PORT"] = String(spec.port)
        environment.merge(containment.environment(for: id)) { $1 }
        let executable = try resolveExecutable(arguments, environment: environment,
                                               workingDirectory: spec.workingDirectory)
        let log = try LogFile.openForAppending(spec.logFile, rotateAbove: spec.logRotateBytes, keep: spec.logKeep)
        defer { close(log) }
        ReplicaLogMarker.writeStart(id, program: URL(fileURLWithPath: executable).lastPathComponent, to: log)
        var cgroup: Int32?
        do {
            cgroup = try containment.openCgroup(for: id)
        } catch {
            warn("\(error); starting replica \(id) without a cgroup")
        }
        defer { if let cgroup { close(cgroup) } }
        let pid: pid_t
        do {
            pid = try spawnProcess(executable: executable, arguments: arguments, environment: environment,
                                   workingDirectory: spec.workingDirectory, logDescriptor: log, cgroupDescriptor: cgroup)
        } catch let error as SupervisorError where error.code == .cgroupJoinFailed {
            warn("\(error); starting replica \(id) without a cgroup")
            pid = try spawnProcess(executable: executable, arguments: arguments, environment: environment,
                                   workingDirectory: spec.workingDirectory, logDescriptor: log)
        }
        return try handle(forChild: pid)
    }

    /// Opens a pidfd for the freshly spawned child `pid` and records its identity.
    static func handle(forChild pid: pid_t) throws -> ProcessHandle {
        let fd = mooring_pidfd_open(pid)
        guard fd >= 0 else {
            let error = errno
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            ChildRegistry.shared.reaped(pid)
            throw SupervisorError(.pidfdFailed, "cannot watch the new process \(pid); Mooring needs Linux 5.3 or newer",
                                  function: "pidfd_open", cause: SupervisorError.errno(error))
        }
        // The child cannot be reaped by anyone but us, so /proc still shows it (maybe a zombie).
        let stat = ProcStat.read(pid: pid)
        let identity = ProcessIdentity(pid: pid, startTime: stat?.startTime ?? 0, processGroup: stat?.processGroup ?? pid)
        return ProcessHandle(identity: identity, pidfd: fd, isChild: true)
    }

    /// Spawns through the C helper; stdout and stderr go to `logDescriptor` (`/dev/null`
    /// when nil), and with `cgroupDescriptor` (an open `cgroup.procs`) the child joins that
    /// cgroup before its program starts. The caller keeps and closes both descriptors, and
    /// reaps the child (then tells ``ChildRegistry``, where the child is registered).
    static func spawnProcess(executable: String, arguments: [String], environment: [String: String],
                             workingDirectory: String?, logDescriptor: Int32?, cgroupDescriptor: Int32? = nil) throws -> pid_t {
        if let workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: workingDirectory, isDirectory: &isDirectory),
                  isDirectory.boolValue
            else {
                throw SupervisorError(.workingDirectoryMissing,
                                      "working directory \(workingDirectory) does not exist: create it or fix the spec")
            }
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var stage: Int32 = 0
        var rc: Int32 = 0
        _ = ChildRegistry.shared.spawning {
            rc = argv.withUnsafeBufferPointer { argvBuffer in
                envp.withUnsafeBufferPointer { envpBuffer in
                    mooring_spawn(executable, argvBuffer.baseAddress, envpBuffer.baseAddress,
                                  workingDirectory, logDescriptor ?? -1, cgroupDescriptor ?? -1, &pid, &stage)
                }
            }
            return pid
        }
        guard rc == 0 else {
            let cause = SupervisorError.errno(rc)
            if stage == MOORING_SPAWN_STAGE_CGROUP {
                throw SupervisorError(.cgroupJoinFailed, "cannot move the new process into its cgroup",
                                      function: "write cgroup.procs", cause: cause)
            }
            switch rc {
            case ENOENT:
                throw SupervisorError(.executableNotFound, "cannot run \(executable): it does not exist (or its interpreter does not)",
                                      function: "posix_spawn", cause: cause)
            case EACCES, ENOEXEC:
                throw SupervisorError(.notExecutable, "cannot run \(executable): it is not an executable file; chmod +x it or fix the command",
                                      function: "posix_spawn", cause: cause)
            default:
                throw SupervisorError(.spawnFailed, "cannot start \(executable)", function: "posix_spawn", cause: cause)
            }
        }
        return pid
    }

    /// Finds `argv[0]`: a path (relative to `workingDirectory`) when it holds a `/`,
    /// otherwise the first match in `PATH`.
    static func resolveExecutable(_ arguments: [String], environment: [String: String],
                                  workingDirectory: String?) throws -> String {
        guard let name = arguments.first, !name.isEmpty else {
            throw SupervisorError(.emptyCommand, "the command is empty: give the program to run as its first word")
        }
        let candidates: [String]
        if name.contains("/") {
            if name.hasPrefix("/") {
                candidates = [name]
            } else {
                let base = workingDirectory ?? FileManager.default.currentDirectoryPath
                candidates = [URL(fileURLWithPath: base).appendingPathComponent(name).standardizedFileURL.path]
            }
        } else {
            let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            candidates = path.split(separator: ":").map { "\($0)/\(name)" }
        }
        var found: String?
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue && access(candidate, X_OK) == 0 { return candidate }
            found = found ?? candidate
        }
        if let found {
            throw SupervisorError(.notExecutable,
                                  "\(found) is not an executable file: chmod +x it or fix the command")
        }
        if name.contains("/") {
            throw SupervisorError(.executableNotFound, "command \(name) not found at \(candidates[0]): check the path in the command")
        }
        throw SupervisorError(.executableNotFound,
                              "command \(name) not found in PATH (\(environment["PATH"] ?? "")): install it or give its full path")
    }
}
