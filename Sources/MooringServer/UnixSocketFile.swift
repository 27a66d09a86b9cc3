import Foundation
import MooringController

/// The API's Unix socket file: a stale one (left by a controller that was killed) is
/// removed before binding, a live one or anything else at the path is refused, and the
/// bound socket is made `0600` so only the controller's user can connect.
enum UnixSocketFile {
    /// Clears `path` for binding, or throws saying why it cannot be used.
    static func prepare(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ControllerError(.configuration, "--listen \(path): something other than a socket is there; remove it or choose another path")
        }
        guard info.st_uid == geteuid() else {
            throw ControllerError(.configuration, "--listen \(path): the socket there belongs to uid \(info.st_uid), not to this user; choose another path")
        }
        guard !accepts(path) else {
            throw ControllerError(.configuration, "--listen \(path): another process is listening on that socket (a second controller?); stop it or choose another path")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ControllerError(.configuration, "--listen \(path): cannot remove the stale socket: \(String(cString: strerror(errno)))")
        }
    }

    /// Makes the bound socket `0600`.
    static func restrict(_ path: String) throws {
        guard chmod(path, 0o600) == 0 else {
            throw ControllerError(.configuration, "cannot make the API socket \(path) private (chmod 0600): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether something accepts connections on the socket at `path`.
    private static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
