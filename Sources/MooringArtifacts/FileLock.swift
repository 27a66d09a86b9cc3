import Foundation

/// An exclusive `flock` on a file: one download of a URI at a time, across deployments
/// (and controllers sharing a state directory by mistake). Released on `unlock` or exit.
final class FileLock {
    private let descriptor: Int32
    private var held = false

    init(_ path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw ArtifactError(.permanent, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
    }

    func tryLock() -> Bool {
        held = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        return held
    }

    func unlock() {
        if held { flock(descriptor, LOCK_UN) }
        held = false
    }

    deinit { close(descriptor) }
}
