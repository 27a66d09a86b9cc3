import CSupervisorSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command (in its own process group, output discarded); exit status 0 within the
/// timeout is success. On timeout the command's whole group is killed and reaped.
enum ExecProbe {
    static func run(_ command: [String], timeout: Duration, environment: [String: String],
                    workingDirectory: String?) -> ProbeResult {
        let pid: pid_t
        do {
            let executable = try Spawner.resolveExecutable(command, environment: environment,
                                                           workingDirectory: workingDirectory)
            pid = try Spawner.spawnProcess(executable: executable, arguments: command, environment: environment,
                                           workingDirectory: workingDirectory, logDescriptor: nil)
        } catch {
            return ProbeResult(success: false, detail: "\(error)")
        }
        let name = command.joined(separator: " ")
        let fd = mooring_pidfd_open(pid)
        var exited = true
        if fd >= 0 {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            var ready: Int32
            repeat { ready = poll(&entry, 1, Int32(clamping: timeout.milliseconds)) } while ready < 0 && errno == EINTR
            exited = ready > 0
            close(fd)
        }
        if !exited { _ = kill(-pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        ChildRegistry.shared.reaped(pid)
        guard exited else { return ProbeResult(success: false, detail: "\(name): timed out") }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return ProbeResult(success: code == 0, detail: code >= 0 ? "\(name): exit code \(code)" : "\(name): killed by signal \(status & 0x7f)")
    }
}
