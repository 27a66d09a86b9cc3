import Foundation
import Synchronization

/// The revision exports this controller made or verified itself (``ControllerContext/export(_:)``).
/// An export is read-only and belongs to this user inside the `0700` state directory, so once
/// checked it cannot change under the controller unless this user (or root) changes it; a
/// directory that disappeared (removed by hand) is exported again.
final class VerifiedExports: Sendable {
    private let verified = Mutex<[String: URL]>([:])

    /// The export of `revision`, when it was verified before and its directory still exists.
    func directory(of revision: String) -> URL? {
        guard let url = verified.withLock({ $0[revision] }) else { return nil }
        var info = stat()
        guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            verified.withLock { _ = $0.removeValue(forKey: revision) }
            return nil
        }
        return url
    }

    func remember(_ revision: String, at url: URL) {
        verified.withLock { $0[revision] = url }
    }
}
