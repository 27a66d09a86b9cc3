import Foundation
import MooringArtifacts
import MooringManifests

extension HostConfigurationDecoder {
    static let artifactKeys = ["cacheBudget", "partialMaxAge", "s3", "huggingFace", "mlflow"]
    static let s3Keys = ["endpoint", "region", "pathStyle", "credentialsFile", "profile"]
    static let huggingFaceKeys = ["endpoint", "tokenFile"]
    static let mlflowKeys = ["trackingURI", "tokenFile"]

    /// `artifacts:` — where remote models come from (see `docs/artifacts.md`). Secrets are
    /// named by file only; the files are read when a download needs them.
    func decodeArtifacts(_ reader: MappingReader, into settings: inout ArtifactSettings) {
        if let text = scalarText(reader, "cacheBudget") {
            settings.cacheBudgetBytes = parseByteSize(text.value)
            if settings.cacheBudgetBytes == nil {
                context.error(at: text.position, field: "artifacts.cacheBudget",
                              "`\(text.value)` is not a size; write bytes or a number with a unit, such as 500MiB, 50GiB or 2TiB")
            }
        }
        if let age = duration(reader, "partialMaxAge", minimum: .seconds(60)) {
            settings.partialMaxAgeSeconds = TimeInterval(age.components.seconds)
        }
        if let s3 = reader.mapping("s3", known: Self.s3Keys) {
            settings.s3.endpoint = endpoint(s3, "endpoint")
            if let region = s3.string("region")?.value { settings.s3.region = region }
            if let pathStyle = s3.bool("pathStyle") { settings.s3.pathStyle = pathStyle }
            settings.s3.credentialsFile = path(s3, "credentialsFile")
            if let profile = s3.string("profile")?.value { settings.s3.profile = profile }
        }
        if let hub = reader.mapping("huggingFace", known: Self.huggingFaceKeys) {
            if let endpoint = endpoint(hub, "endpoint") { settings.huggingFace.endpoint = endpoint }
            settings.huggingFace.tokenFile = path(hub, "tokenFile")
        }
        if let mlflow = reader.mapping("mlflow", known: Self.mlflowKeys) {
            settings.mlflow.trackingURI = endpoint(mlflow, "trackingURI")
            settings.mlflow.tokenFile = path(mlflow, "tokenFile")
        }
    }

    /// An `http(s)://` base URL without credentials (they belong in the named files).
    private func endpoint(_ reader: MappingReader, _ key: String) -> String? {
        guard let written = reader.string(key) else { return nil }
        let field = join(reader.path, key)
        let lower = written.value.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            context.error(at: written.position, field: field, "`\(written.value)` is not an http(s):// URL; write one such as https://s3.example.com")
            return nil
        }
        let authority = written.value.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        if authority.contains("@") {
            context.error(at: written.position, field: field, "the URL carries credentials; remove them and name a credentials or token file instead")
            return nil
        }
        return written.value
    }
}

/// `1048576`, `500MiB`, `50GiB`, `2TiB`, `10GB` (decimal units too) → bytes.
func parseByteSize(_ text: String) -> Int64? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let digits = trimmed.prefix { $0.isNumber || $0 == "." }
    guard let number = Double(digits), number >= 0 else { return nil }
    let units: [String: Double] = ["": 1, "B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824, "TiB": 1_099_511_627_776,
                                   "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12]
    guard let scale = units[trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)] else { return nil }
    let bytes = number * scale
    return bytes < 9e18 ? Int64(bytes) : nil
}
