import Foundation
import MooringHTTP

/// A model version in an MLflow model registry: `get-download-uri` gives its artifact
/// location, whose files come through the tracking server's artifact proxy
/// (`mlflow-artifacts:/…`, listed and downloaded under `/api/2.0/mlflow-artifacts/artifacts`)
/// or straight from S3 (`s3://…`) or HTTP(S).
struct MLflowRegistry {
    let settings: ArtifactSettings.MLflow
    let s3: ArtifactSettings.S3

    func files(name: String, version: Int, cancelled: @escaping () -> Bool) throws -> (source: String, files: [RemoteFile]) {
        guard let tracking = settings.trackingURI.map({ $0.hasSuffix("/") ? String($0.dropLast()) : $0 }) else {
            throw ArtifactError(.permanent, "models:/\(name)/\(version) needs an MLflow registry: set `artifacts.mlflow.trackingURI` in the host configuration")
        }
        let headers = try settings.tokenFile.map { [(name: "Authorization", value: "Bearer \(try readSecret($0, what: "the MLflow token"))")] } ?? []
        var lookup = TransferRequest(url: "\(tracking)/api/2.0/mlflow/model-versions/get-download-uri?name=\(queryEscape(name))&version=\(version)",
                                 headers: headers)
        lookup.timeout = .seconds(60)
        let answer: [String: Any]
        do {
            answer = try fetchJSON(lookup, cancelled: cancelled)
        } catch let error as ArtifactError where error.message.contains("HTTP 404") {
            throw ArtifactError(.permanent, "the MLflow registry at \(redactedURL(tracking)) has no version \(version) of model `\(name)`; register it or fix the URI")
        }
        guard let location = answer["artifact_uri"] as? String else {
            throw ArtifactError(.permanent, "GET \(lookup.displayURL): the answer has no `artifact_uri`")
        }
        if location.hasPrefix("s3://") {
            let rest = location.dropFirst("s3://".count)
            let bucket = rest.prefix { $0 != "/" }
            var prefix = String(rest.dropFirst(bucket.count + 1))
            if !prefix.hasSuffix("/") { prefix += "/" }
            return (redactedURL(location), try S3Store(settings: s3).files(bucket: String(bucket), key: prefix, expected: nil, cancelled: cancelled))
        }
        guard location.hasPrefix("mlflow-artifacts:") else {
            throw ArtifactError(.permanent, "models:/\(name)/\(version) is stored at `\(redactedURL(location))`, which the controller cannot reach; serve artifacts through the tracking server (`mlflow server --serve-artifacts`) or S3")
        }
        // mlflow-artifacts:/PATH or mlflow-artifacts://HOST/PATH: the path under the proxy.
        var path = String(location.dropFirst("mlflow-artifacts:".count))
        if path.hasPrefix("//") { path = String(path.dropFirst(2).drop { $0 != "/" }) }
        while path.hasPrefix("/") { path.removeFirst() }
        var files: [RemoteFile] = []
        try list(tracking: tracking, root: path, relative: "", headers: headers, into: &files, cancelled: cancelled)
        guard !files.isEmpty else { throw ArtifactError(.permanent, "models:/\(name)/\(version) has no files at \(location)") }
        return (location, files.sorted { $0.path < $1.path })
    }

    private func list(tracking: String, root: String, relative: String, headers: [(name: String, value: String)],
                      into files: inout [RemoteFile], cancelled: @escaping () -> Bool) throws {
        let directory = relative.isEmpty ? root : "\(root)/\(relative)"
        var listing = TransferRequest(url: "\(tracking)/api/2.0/mlflow-artifacts/artifacts?path=\(queryEscape(directory))", headers: headers)
        listing.timeout = .seconds(60)
        let answer = try fetchJSON(listing, cancelled: cancelled)
        for entry in answer["files"] as? [[String: Any]] ?? [] {
            guard let full = entry["path"] as? String else { continue }
            let name = (full as NSString).lastPathComponent
            guard !name.isEmpty, name != "..", name != "." else { continue }
            let child = relative.isEmpty ? name : "\(relative)/\(name)"
            if entry["is_dir"] as? Bool == true {
                try list(tracking: tracking, root: root, relative: child, headers: headers, into: &files, cancelled: cancelled)
            } else {
                let url = "\(tracking)/api/2.0/mlflow-artifacts/artifacts/\(escapePath("\(root)/\(child)"))"
                files.append(RemoteFile(path: child, request: TransferRequest(url: url, headers: headers),
                                        size: (entry["file_size"] as? NSNumber)?.int64Value))
            }
        }
    }
}
