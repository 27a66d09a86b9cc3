import Foundation
import MooringFileSafety
#if canImport(Glibc)
import Glibc
#endif

/// The replicas' writable directories (`{{scratch.dir}}`, `<state>/scratch/<deployment>/
/// <generation>/<replica>/`): a model server writes caches and metrics files there, never
/// into the read-only revision export. Created `0700` like the rest of the state directory
/// (``OwnedFiles``) before the replica's first process starts, kept across its restarts,
/// removed when the replica is stopped for good.
enum ScratchDirectories {
    /// Creates the replica's directory (and missing parents, `0700`); an existing one is
    /// checked to be a private directory of this user's and kept.
    static func make(_ url: URL) throws {
        do {
            try OwnedFiles.makeDirectory(url.path)
        } catch {
            throw ControllerError(.configuration, "cannot create the scratch directory \(url.path): \(error); the replica is not started — fix the state directory's permissions")
        }
    }

    /// Removes the replica's directory and everything in it. Links inside are removed, never
    /// followed; a link in place of the directory itself is unlinked, its target left alone.
    /// Then the emptied generation and deployment directories go too. Returns what could not
    /// be removed, if anything (for a warning: nothing depends on it).
    @discardableResult
    static func remove(_ url: URL, root: URL) -> String? {
        var problem: String?
        do {
            if let info = try OwnedFiles.linkStatus(url.path) {
                if info.st_mode & S_IFMT == S_IFDIR {
                    try FileManager.default.removeItem(atPath: url.path)
                } else if unlink(url.path) != 0 {
                    problem = "cannot remove \(url.path): \(String(cString: strerror(errno)))"
                }
            }
        } catch {
            problem = "cannot remove the scratch directory \(url.path): \(error)"
        }
        // rmdir removes only empty directories: the parents stay while another replica uses them.
        var parent = url.deletingLastPathComponent()
        while parent.path.hasPrefix(root.path + "/") {
            guard rmdir(parent.path) == 0 else { break }
            parent = parent.deletingLastPathComponent()
        }
        return problem
    }

    /// Every replica directory under `root` (`<deployment>/<generation>/<replica>`), as
    /// those three names; for removing the ones no replica accounts for after a restart.
    static func existing(under root: URL) -> [(deployment: String, generation: String, replica: String)] {
        var found: [(String, String, String)] = []
        for deployment in names(in: root.path) {
            let deploymentDir = root.appendingPathComponent(deployment).path
            for generation in names(in: deploymentDir) {
                let generationDir = deploymentDir + "/" + generation
                for replica in names(in: generationDir) {
                    found.append((deployment, generation, replica))
                }
            }
        }
        return found
    }

    /// The names in `path`; none when it is missing or cannot be listed (then nothing
    /// there is swept: a directory left over is harmless, one removed by mistake is not).
    private static func names(in path: String) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            return []
        }
    }
}
