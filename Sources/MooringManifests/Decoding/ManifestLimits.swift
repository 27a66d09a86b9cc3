/// Bounds on what reading one revision's manifests may cost, so a hostile or broken
/// commit (an alias bomb, a 50 MB file, 10,000-deep nesting) is rejected with a
/// positioned diagnostic — promptly and in bounded memory — instead of hanging or
/// exhausting the controller, `validate` or `plan`.
///
/// The defaults are far above what a real repository needs (a manifest document is a
/// few hundred nodes, a few kilobytes); `docs/manifests.md` lists them. Node counts
/// count what a document *means*: an alias counts as every node of what it refers to.
public struct ManifestLimits: Sendable, Hashable {
    /// Largest manifest file, in bytes. Default 4 MiB.
    public var maxFileBytes: Int
    /// Largest sum of all manifest files of a revision, in bytes. Default 32 MiB.
    public var maxTotalBytes: Int
    /// Most YAML documents (`---` sections) in one file. Default 1,000.
    public var maxDocumentsPerFile: Int
    /// Most nodes (scalars, lists, mappings) in one document, aliases expanded.
    /// Default 100,000.
    public var maxNodesPerDocument: Int
    /// Most nodes in one file, all documents together, aliases expanded. Default 250,000.
    public var maxNodesPerFile: Int
    /// Deepest nesting of lists and mappings. Default 64.
    public var maxDepth: Int

    public init(
        maxFileBytes: Int = 4 << 20,
        maxTotalBytes: Int = 32 << 20,
        maxDocumentsPerFile: Int = 1_000,
        maxNodesPerDocument: Int = 100_000,
        maxNodesPerFile: Int = 250_000,
        maxDepth: Int = 64
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxDocumentsPerFile = maxDocumentsPerFile
        self.maxNodesPerDocument = maxNodesPerDocument
        self.maxNodesPerFile = maxNodesPerFile
        self.maxDepth = maxDepth
    }

    /// The documented defaults.
    public static let `default` = ManifestLimits()
}
