import MooringModelChecks

/// One entry of `spec.tests` as written: the check with everything the manifest holds,
/// plus the repository files (`bodyFile`, `batch.file`) the resolver reads at the revision.
public struct ModelTestFragment: Hashable, Sendable {
    /// The check; `body` is empty until `bodyFile` is read, `batch` until its file is.
    public var check: ModelCheck
    public var bodyFile: Located<String>?
    public var batchFile: Located<String>?
    /// `batch.path` and `batch.minAccuracy`, when a batch is given.
    public var batchPath: JSONPath?
    public var minAccuracy: Double?
    /// Where the entry is written.
    public var position: SourcePosition

    public init(check: ModelCheck, position: SourcePosition) {
        self.check = check
        self.position = position
    }
}
