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
    ///
    /// With a `stamper`, the replica writes into a pipe that the stamper copies to the log
    /// with a timestamp on every line (``LogStamper``); without one, straight to the log.
    static func spawn(_ spec: ReplicaSpec, id: ReplicaID, containment: ProcessContainment,
                      stamper: LogStamper? = nil, warn: (String) -> Void = { _ in }) throws -> ProcessHandle {
        let arguments = spec.arguments.map { $0.replacingOccurrences(of: "{{port}}", with: String(spec.port)) }
        let inherited = spec.inheritsEnvironment ? ProcessInfo.processInfo.environment : [:]
        var environment = inherited.merging(spec.environment) { $1 }
        environment["PORT"] = String(spec.port)
        environment.merge(containment.environment(for: id)) { $1 }
        let executable = try resolveExecutable(arguments, environment: environment,
                                               workingDirectory: spec.workingDirectory)
        let file = try LogFile.openForAppending(spec.logFile, rotateAbove: spec.logRotateBytes, keep: spec.logKeep)
        defer { close(file) }
        ReplicaLogMarker.writeStart(id, program: URL(fileURLWithPath: executable).lastPathComponent, to: file)
        let log = try stamper.map { try startStamper($0, logDescriptor: file, warn: warn) } ?? file
        defer { if log != file { close(log) } }
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

    /// Starts `stamper` reading a new pipe and writing to `logDescriptor`; returns the
    /// pipe's write end for the replica (the caller closes it once the replica has it).
    /// When the stamper cannot start, the replica writes to the log directly (with a
    /// warning): its output is never lost for want of timestamps.
    static func startStamper(_ stamper: LogStamper, logDescriptor: Int32, warn: (String) -> Void) throws -> Int32 {
        var ends: [Int32] = [-1, -1]
        guard mooring_pipe_cloexec(&ends) == 0 else {
            warn("cannot make a pipe for the log stamper (errno \(errno)); the replica writes its log without timestamps")
            return try duplicate(logDescriptor)
        }
        defer { close(ends[0]) }
        let argv = ([stamper.executable] + stamper.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var rc: Int32 = 0
        _ = ChildRegistry.shared.spawning {
            rc = argv.withUnsafeBufferPointer { mooring_spawn_stamper(stamper.executable, $0.baseAddress, ends[0], logDescriptor, &pid) }
            return rc == 0 ? pid : 0
        }
        guard rc == 0 else {
            close(ends[1])
            warn("cannot start the log stamper \(stamper.executable) (errno \(rc)); the replica writes its log without timestamps")
            return try duplicate(logDescriptor)
        }
        reapWhenExited(pid)
        return ends[1]
    }

    /// A second descriptor for `descriptor` (closed by the caller like the pipe's end).
    private static func duplicate(_ descriptor: Int32) throws -> Int32 {
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 3)
        guard copy >= 0 else {
            throw SupervisorError(.logFileFailed, "cannot duplicate the log's descriptor", function: "fcntl",
                                  cause: SupervisorError.errno(errno))
        }
        return copy
    }

    /// Reaps the stamper `pid` (a child of this process, registered) when it exits, so it
    /// never lingers as a zombie; the exit watcher says when.
    private static func reapWhenExited(_ pid: pid_t) {
        let pidfd = mooring_pidfd_open(pid)
        guard pidfd >= 0 else { return }
        ExitWatcher.shared.watch(pidfd) {
            var code: Int32 = 0
            var signal: Int32 = 0
            if mooring_pidfd_reap(pidfd, 1, &code, &signal) == 1 { ChildRegistry.shared.reaped(pid) }
            close(pidfd)
        }
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
