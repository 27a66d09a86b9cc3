import Foundation
import MooringFileSafety
#if canImport(Glibc)
import Glibc
#endif

extension StateStore {
    /// The files SQLite keeps next to the database.
    static let companionSuffixes = ["-wal", "-shm", "-journal"]

    /// Checks the state file before SQLite opens it (SQLite itself follows symlinks).
    ///
    /// For writing, the directory is created `0700` if missing and must belong to this user
    /// and not be writable by others; the database is created `0600` when missing. The
    /// database and its `-wal`, `-shm` and `-journal` files, when present, must be regular
    /// files (never symlinks) of this user's that others cannot write; opened for writing
    /// they must have one name each and are set to `0600`. Read-only, nothing is changed.
    /// Throws ``StoreError`` with code `noState` (nothing there, read-only) or
    /// `untrustedFile`, naming the path and the fix.
    static func checkFiles(at path: URL, readOnly: Bool) throws {
        let directory = path.deletingLastPathComponent().path
        do {
            if readOnly {
                guard try OwnedFiles.checkFile(path.path) else {
                    throw StoreError(.noState, "no state at \(path.path): is `mooring run` using another --state-dir?")
                }
                for suffix in companionSuffixes {
                    _ = try OwnedFiles.checkFile(path.path + suffix)
                }
                return
            }
            try OwnedFiles.makeDirectory(directory, tighten: false, followingTrustedLink: true)
            try closing(OwnedFiles.open(path.path, flags: O_RDWR | O_CREAT))
            for suffix in companionSuffixes where try OwnedFiles.linkStatus(path.path + suffix) != nil {
                try closing(OwnedFiles.open(path.path + suffix, flags: O_RDWR))
            }
        } catch let error as UnsafePathError {
            throw StoreError(.untrustedFile, "refusing the state store: \(error.message)", cause: error)
        }
    }

    private static func closing(_ descriptor: Int32) {
        close(descriptor)
    }
}
