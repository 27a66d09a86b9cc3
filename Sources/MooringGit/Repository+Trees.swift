import CLibGit2
import Foundation

/// One entry met while walking a tree: repository-relative path, id, and what it is.
struct WalkedEntry {
    enum Kind { case tree, regular, executable, symlink, submodule }
    let path: String
    let id: ObjectID
    let kind: Kind
}

/// Normalizes a tree path: no leading `./` or `/`, no trailing `/`; `""` is the root.
func normalizeTreePath(_ path: String) -> String {
    var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    parts.removeAll { $0 == "." }
    return parts.joined(separator: "/")
}

private final class WalkCollector {
    let prefix: String
    var entries: [WalkedEntry] = []
    init(prefix: String) { self.prefix = prefix }
}

private func walkCallback(
    root: UnsafePointer<CChar>?, entry: OpaquePointer?, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let entry, let payload, let name = git_tree_entry_name(entry), let id = git_tree_entry_id(entry) else {
        return 0
    }
    let collector = Unmanaged<WalkCollector>.fromOpaque(payload).takeUnretainedValue()
    let parent = root.map { String(cString: $0) } ?? ""
    let relative = parent + String(cString: name)
    let path = collector.prefix.isEmpty ? relative : collector.prefix + "/" + relative
    let kind: WalkedEntry.Kind
    switch git_tree_entry_type(entry) {
    case GIT_OBJECT_TREE: kind = .tree
    case GIT_OBJECT_COMMIT: kind = .submodule
    default:
        switch git_tree_entry_filemode(entry) {
        case GIT_FILEMODE_LINK: kind = .symlink
        case GIT_FILEMODE_BLOB_EXECUTABLE: kind = .executable
        default: kind = .regular
        }
    }
    collector.entries.append(WalkedEntry(path: path, id: ObjectID(id), kind: kind))
    return 0
}

extension Repository {
    /// The id and type of the entry at `path` in the tree of `commit`. A missing path is a
    /// `pathNotFound` error for that commit: never "nothing there".
    func entry(at commit: ObjectID, path: String) throws -> (id: ObjectID, isTree: Bool) {
        let commitHandle = try self.commit(commit)
        let root = try tree(of: commitHandle, id: commit)
        let normalized = normalizeTreePath(path)
        if normalized.isEmpty {
            guard let id = git_tree_id(root.pointer) else {
                throw GitError(code: .other, message: "tree of \(commit.short) has no id", function: "git_tree_id")
            }
            return (ObjectID(id), true)
        }
        var raw: OpaquePointer?
        let result = git_tree_entry_bypath(&raw, root.pointer, normalized)
        if result == GIT_ENOTFOUND.rawValue {
            throw GitError(
                code: .pathNotFound,
                message: "path `\(normalized)` not found at \(commit.short). The commit is not applied; "
                    + "if the folder was renamed, update the controller's manifests path",
                function: "git_tree_entry_bypath")
        }
        guard result >= 0, let raw else {
            throw GitError.libgit2(result, function: "git_tree_entry_bypath", context: "cannot read `\(normalized)` at \(commit.short)")
        }
        let entry = GitHandle(raw, ledger: ledger, release: git_tree_entry_free)
        guard let id = git_tree_entry_id(entry.pointer) else {
            throw GitError(code: .other, message: "entry `\(normalized)` has no id", function: "git_tree_entry_id")
        }
        return (ObjectID(id), git_tree_entry_type(entry.pointer) == GIT_OBJECT_TREE)
    }

    /// The id of the tree at `path` in `commit`. Anything else there — a symlink, a file,
    /// a submodule — is a `pathNotFound` error, like nothing at all: a commit that turns
    /// the manifests folder into a link must be rejected, not read as an empty folder.
    func folder(at commit: ObjectID, path: String) throws -> ObjectID {
        let (id, isTree) = try entry(at: commit, path: path)
        guard !isTree else { return id }
        let normalized = normalizeTreePath(path)
        let what: String
        switch try blobKind(commit: commit, path: normalized) {
        case .symlink:
            let target = try withBlob(id) { String(decoding: $0, as: UTF8.self) }
            what = "a symlink (to `\(target)`)"
        case .submodule: what = "a submodule"
        case .regular, .executable, .tree: what = "a file"
        }
        throw GitError(
            code: .pathNotFound,
            message: "path `\(normalized)` is \(what) at \(commit.short), not a folder. The commit is not applied "
                + "(nothing is removed); make `\(normalized)` a folder of manifests again, or update the controller's manifests path",
            function: nil)
    }

    /// Every entry under `path` at `commit`, pre-order, with repository-relative paths.
    /// When `path` names a file, that one entry.
    func walk(at commit: ObjectID, path: String) throws -> [WalkedEntry] {
        let normalized = normalizeTreePath(path)
        let (id, isTree) = try entry(at: commit, path: path)
        guard isTree else {
            let kind = try blobKind(commit: commit, path: normalized)
            return [WalkedEntry(path: normalized, id: id, kind: kind)]
        }
        let tree = try self.tree(id)
        let collector = WalkCollector(prefix: normalized)
        let result = withExtendedLifetime(collector) {
            git_tree_walk(tree.pointer, GIT_TREEWALK_PRE, walkCallback, Unmanaged.passUnretained(collector).toOpaque())
        }
        guard result >= 0 else {
            throw GitError.libgit2(result, function: "git_tree_walk", context: "cannot walk `\(normalized)` at \(commit.short)")
        }
        return collector.entries
    }

    func blobKind(commit: ObjectID, path: String) throws -> WalkedEntry.Kind {
        let commitHandle = try self.commit(commit)
        let root = try tree(of: commitHandle, id: commit)
        let entry = try GitHandle.make(
            "git_tree_entry_bypath", ledger: ledger, release: git_tree_entry_free,
            context: "cannot read `\(path)` at \(commit.short)"
        ) { out in
            git_tree_entry_bypath(out, root.pointer, path)
        }
        switch git_tree_entry_filemode(entry.pointer) {
        case GIT_FILEMODE_LINK: return .symlink
        case GIT_FILEMODE_BLOB_EXECUTABLE: return .executable
        case GIT_FILEMODE_COMMIT: return .submodule
        default: return .regular
        }
    }

    /// Sizes of objects read from their headers, without reading their contents.
    func objectSizes() throws -> (ObjectID) throws -> Int {
        let odb = try GitHandle.make(
            "git_repository_odb", ledger: ledger, release: git_odb_free, context: "the object database"
        ) { out in
            git_repository_odb(out, pointer)
        }
        return { id in
            var oid = id.oid
            var size = 0
            var type = GIT_OBJECT_ANY
            let result = withExtendedLifetime(odb) { git_odb_read_header(&size, &type, odb.pointer, &oid) }
            guard result >= 0 else {
                throw GitError.libgit2(result, function: "git_odb_read_header", context: "object \(id.short)")
            }
            return size
        }
    }

    /// Calls `body` with the bytes of a blob, without copying them.
    func withBlob<T>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        var oid = id.oid
        let blob = try GitHandle.make(
            "git_blob_lookup", ledger: ledger, release: git_blob_free, context: "blob \(id.short) not found"
        ) { out in
            git_blob_lookup(out, pointer, &oid)
        }
        let size = Int(git_blob_rawsize(blob.pointer))
        guard size > 0, let bytes = git_blob_rawcontent(blob.pointer) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: bytes, count: size))
    }

    /// Repository-relative paths that differ under `path` between two commits.
    func changedPaths(from old: ObjectID, to new: ObjectID, under path: String) throws -> [String] {
        let normalized = normalizeTreePath(path)
        let oldTree = try tree(of: try commit(old), id: old)
        let newTree = try tree(of: try commit(new), id: new)
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        let cPath = strdup(normalized)
        defer { free(cPath) }
        var strings: [UnsafeMutablePointer<CChar>?] = [cPath]
        let diff = try strings.withUnsafeMutableBufferPointer { buffer in
            if !normalized.isEmpty {
                options.pathspec = git_strarray(strings: buffer.baseAddress, count: 1)
            }
            return try GitHandle.make(
                "git_diff_tree_to_tree", ledger: ledger, release: git_diff_free,
                context: "cannot diff \(old.short)..\(new.short)"
            ) { out in
                git_diff_tree_to_tree(out, pointer, oldTree.pointer, newTree.pointer, &options)
            }
        }
        var paths = Set<String>()
        let prefix = normalized.isEmpty ? "" : normalized + "/"
        for index in 0..<git_diff_num_deltas(diff.pointer) {
            guard let delta = git_diff_get_delta(diff.pointer, index) else { continue }
            for cString in [delta.pointee.old_file.path, delta.pointee.new_file.path] {
                guard let cString else { continue }
                let candidate = String(cString: cString)
                if normalized.isEmpty || candidate == normalized || candidate.hasPrefix(prefix) {
                    paths.insert(candidate)
                }
            }
        }
        return paths.sorted()
    }
}
