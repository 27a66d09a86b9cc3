import Foundation
import MooringDigest

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
    /// SHA-256 of the regular file at `path` (64 lowercase hex digits), `nil` if there is
    /// none; throws when the file is there but cannot be read. The default hashes
    /// `contents(at:)`; views of large files on disk stream them instead.
    func sha256(at path: String) throws -> String?
    /// What the content at `path` (already resolved: no symlinks on the way) is, as an
    /// opaque identity that changes whenever any byte under the path does — or `nil` when
    /// this view has no such identity. It becomes `model.contentID` and so part of the spec
    /// hash. Throws when the path is there but cannot be read. The default is `nil`.
    func contentID(at path: String) throws -> String?
}

extension RepositoryView {
    public func sha256(at path: String) throws -> String? {
        contents(at: path).map { SHA256Digest.hex($0) }
    }

    public func contentID(at path: String) throws -> String? { nil }
}

/// A directory on disk seen as a repository (`mooring validate PATH`).
///
/// It has no content identity: ``contentID(at:)`` is `nil`, so specs resolved from a
/// directory carry no `model.contentID`. A work tree is not a revision the controller
/// could apply, and giving one an identity would mean reading every byte of every model
/// directory on each `validate`. `model.sha256` is still checked, reading the file in
/// chunks.
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

    /// Streams the file through SHA-256 (never holding it whole in memory); `nil` for
    /// anything but a regular file (a FIFO would never end).
    public func sha256(at path: String) throws -> String? {
        var info = stat()
        guard lstat(root.appendingPathComponent(path).path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return try SHA256Digest.hex(ofFileAt: root.appendingPathComponent(path))
    }

    /// Always `nil`: a directory on disk has no content identity (see the type's comment).
    public func contentID(at path: String) throws -> String? { nil }

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
