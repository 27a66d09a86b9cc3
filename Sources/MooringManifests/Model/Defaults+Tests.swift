/// Limits of `spec.tests`: checks are meant to be a handful of golden requests, not a
/// load test.
extension ManifestDefaults {
    /// The most checks one deployment may have.
    public static let maxTests = 50
    /// The most calls one check's `repeat` may ask for.
    public static let maxTestRepeat = 100
    /// The largest `bodyFile` or batch file read from the repository.
    public static let maxTestFileBytes = 1 << 20
    /// The most rows of a batch file.
    public static let maxBatchCases = 1_000
}
