import Foundation

/// What a path inside the repository is, at the revision being validated.
public enum RepositoryEntry: Hashable, Sendable {
    case file
    case directory
    /// A symbolic link and its target as written.
    case symlink(target: String)
    case missing
}

/// Read access to the repository the manifests come from — a directory on disk for
/// `mooring validate`, a commit's tree for the controller — so validation can check that
/// model files exist, stay inside the repository and match their `sha256`.
public protocol RepositoryView: Sendable {
    /// What `path` (repository-relative, `/`-separated, no `..`) is. Intermediate
    /// components are not followed: `entry` of `a/b` where `a` is a symlink is `.missing`.
    func entry(at path: String) -> RepositoryEntry
    /// The bytes of the regular file at `path`, if there is one.
    func contents(at path: String) -> Data?
}

/// A directory on disk seen as a repository.
public struct FileSystemRepository: RepositoryView {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public func entry(at path: String) -> RepositoryEntry {
        let full = root.appendingPathComponent(path).path
        var info = stat()
        guard lstat(full, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? ""
            return .symlink(target: target)
        case S_IFDIR:
            return .directory
        default:
            return .file
        }
    }

    public func contents(at path: String) -> Data? {
        try? Data(contentsOf: root.appendingPathComponent(path))
    }

    /// The repository around `url`: the nearest ancestor holding `.git`, else `fallback`.
    public static func enclosingRoot(of url: URL, fallback: URL) -> URL {
        var current = url.standardizedFileURL
        while current.path != "/" {
            if FileManager.default.fileExists(atPath: current.appendingPathComponent(".git").path) {
                return current
            }
            current.deleteLastPathComponent()
        }
        return fallback
    }
}

/// Why a repository path is unusable, or the real path it leads to.
enum PathResolution: Equatable {
    case resolved(String, RepositoryEntry)
    case escapes(String)
    case missing(String)
}

extension RepositoryView {
    /// Follows `path` component by component, resolving symlinks (at most 40, as Linux
    /// does), and reports whether it stays inside the repository.
    func resolve(_ path: String) -> PathResolution {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                if resolved.isEmpty { return .escapes(path) }
                resolved.removeLast()
                continue
            }
            let candidate = (resolved + [component]).joined(separator: "/")
            switch entry(at: candidate) {
            case .missing:
                return .missing(candidate)
            case let .symlink(target):
                hops += 1
                if hops > 40 || target.hasPrefix("/") { return .escapes(path) }
                pending = target.split(separator: "/").map(String.init) + pending
            case .file, .directory:
                resolved.append(component)
            }
        }
        let final = resolved.joined(separator: "/")
        return .resolved(final, final.isEmpty ? .directory : entry(at: final))
    }
}
