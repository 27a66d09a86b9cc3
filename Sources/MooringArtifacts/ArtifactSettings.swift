import Foundation

/// The host's settings for fetching remote model artifacts (`artifacts:` in the host
/// configuration): endpoints, regions and the *files* that hold secrets — never the
/// secrets themselves, which are read when a request needs them and never logged.
public struct ArtifactSettings: Sendable, Hashable {
    /// `artifacts.s3`.
    public struct S3: Sendable, Hashable {
        /// `endpoint`: an S3-compatible store's base URL; nil: AWS (`https://s3.REGION.amazonaws.com`).
        public var endpoint: String?
        /// `region`, for the signature (default `us-east-1`).
        public var region: String = "us-east-1"
        /// `pathStyle`: `ENDPOINT/BUCKET/KEY` rather than `BUCKET.ENDPOINT/KEY` (MinIO, moto, Ceph).
        public var pathStyle: Bool = false
        /// `credentialsFile`: an AWS shared credentials file (`[default]` profile, or `profile`).
        /// nil: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`) from
        /// the controller's environment; neither: unsigned requests (public buckets).
        public var credentialsFile: String?
        /// `profile` in the credentials file (default `default`).
        public var profile: String = "default"
        public init() {}
    }

    /// `artifacts.huggingFace`.
    public struct HuggingFace: Sendable, Hashable {
        /// `endpoint`: the Hub (or a mirror) serving `/{repo}/resolve/{revision}/{path}`.
        public var endpoint: String = "https://huggingface.co"
        /// `tokenFile`: a file holding the access token (sent as `Authorization: Bearer`).
        public var tokenFile: String?
        public init() {}
    }

    /// `artifacts.mlflow`.
    public struct MLflow: Sendable, Hashable {
        /// `trackingURI`: the MLflow tracking server (`http(s)://host:port`).
        public var trackingURI: String?
        /// `tokenFile`: a bearer token for the tracking server.
        public var tokenFile: String?
        public init() {}
    }

    /// `cacheBudget`: bytes the cache may hold before the collector removes unreferenced
    /// artifacts, oldest first; nil: no budget (no artifact is removed).
    public var cacheBudgetBytes: Int64?
    /// `partialMaxAge`: how long a partial download no download has open is kept for a
    /// resume before the collector removes it (default 24 hours).
    public var partialMaxAgeSeconds: TimeInterval = ArtifactSettings.defaultPartialMaxAge
    /// 24 hours.
    public static let defaultPartialMaxAge: TimeInterval = 86_400
    public var s3 = S3()
    public var huggingFace = HuggingFace()
    public var mlflow = MLflow()

    public init() {}
}

/// Reads a secret file: its content, whitespace trimmed. The file is named in messages,
/// its content never.
func readSecret(_ path: String, what: String) throws -> String {
    do {
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ArtifactError(.permanent, "\(what) file \(path) is empty; put the secret in it") }
        return text
    } catch let error as ArtifactError {
        throw error
    } catch {
        throw ArtifactError(.permanent, "cannot read \(what) file \(path) (\(error.localizedDescription)); check the host configuration's `artifacts:` section and the file's permissions")
    }
}
