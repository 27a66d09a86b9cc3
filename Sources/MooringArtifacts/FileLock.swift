import Foundation

/// An exclusive `flock` on a file: one download of a URI at a time, across deployments
/// (and controllers sharing a state directory by mistake). Released on `unlock` or exit.
///
/// The collector removes lock files nobody holds (``ArtifactCollector``), so a lock taken
/// on a file that was removed meanwhile is not a lock: ``tryLock()`` checks that the file
/// it locked is still the one at the path, and opens the path again when it is not.
final class FileLock {
    private let path: String
    private var descriptor: Int32
    private var held = false

    init(_ path: String) throws {
        self.path = path
        descriptor = try Self.open(path)
    }

    /// True when the lock is now held; false when another holder has it. Throws when the
    /// path cannot be opened again after the file was removed.
    func tryLock() throws -> Bool {
        for _ in 0..<100 {
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return false }
            var locked = stat(), named = stat()
            if fstat(descriptor, &locked) == 0, stat(path, &named) == 0,
               locked.st_ino == named.st_ino, locked.st_dev == named.st_dev {
                held = true
                return true
            }
            // Removed (or replaced) since it was opened: lock what the path names now.
            flock(descriptor, LOCK_UN)
            let reopened = try Self.open(path)
            close(descriptor)
            descriptor = reopened
        }
        return false
    }

    func unlock() {
        if held { flock(descriptor, LOCK_UN) }
        held = false
    }

    deinit { close(descriptor) }

    private static func open(_ path: String) throws -> Int32 {
        let descriptor = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw ArtifactError(.permanent, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }
}
