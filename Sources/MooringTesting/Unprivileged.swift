import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a step of a test as another local user — `nobody` (uid and gid 65534) — through
/// `setpriv --reuid=65534 --regid=65534 --clear-groups`, the way an attacker on the same
/// host would act.
///
/// Only root can switch users. Tests that need it check ``isAvailable`` and, when it is
/// false, print ``unavailableReason`` and assert what they can without it (never pass
/// silently).
public enum Unprivileged {
    /// The user steps run as.
    public static let uid: UInt32 = 65534
    /// Their group.
    public static let gid: UInt32 = 65534

    /// Whether this process can run a step as ``uid``.
    public static var isAvailable: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: setpriv)
    }

    /// Why ``isAvailable`` is false, for the test's output.
    public static var unavailableReason: String {
        if geteuid() != 0 {
            return "not running as root (uid \(geteuid())): only root can run a step as uid \(uid), so the step another user would take is not run"
        }
        return "\(setpriv) is missing (Debian package util-linux)"
    }

    /// Prints that the privileged part of a test is left out, and why.
    public static func note(_ test: String) {
        print("note: \(test): \(unavailableReason); asserting the file modes that stop another user instead")
    }

    /// Runs `executable` (an absolute path) with `arguments` as ``uid``, to completion.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], currentDirectory: URL? = nil) throws -> CommandResult {
        guard isAvailable else { throw TestingError(unavailableReason) }
        return try runCommand(setpriv, ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", executable] + arguments,
                              environment: ["HOME": "/", "PATH": "/usr/bin:/bin"], currentDirectory: currentDirectory ?? URL(fileURLWithPath: "/"))
    }

    /// Makes `url` (and everything under it) belong to ``uid``.
    public static func give(_ url: URL) throws {
        let result = try runCommand("/bin/chown", ["-R", "\(uid):\(gid)", url.path])
        guard result.status == 0 else { throw TestingError("chown \(url.path) failed: \(result.output)") }
    }

    private static let setpriv = "/usr/bin/setpriv"
}
