import Foundation
import MooringHTTP

/// Files of a Hugging Face Hub repository at a commit, through the Hub's resolve URLs
/// (`{endpoint}/{repo}/resolve/{commit}/{path}`); a whole snapshot is listed through
/// `{endpoint}/api/models/{repo}/revision/{commit}`. The token (from `tokenFile`) is sent
/// as `Authorization: Bearer` to the Hub only — libcurl drops it on a redirect to a CDN.
struct HuggingFaceHub {
    let settings: ArtifactSettings.HuggingFace

    func files(repository: String, revision: String, path: String?, expected: String?,
               cancelled: @escaping () -> Bool) throws -> [RemoteFile] {
        let headers = try authorization()
        let base = settings.endpoint.hasSuffix("/") ? String(settings.endpoint.dropLast()) : settings.endpoint
        func resolve(_ file: String) -> TransferRequest {
            TransferRequest(url: "\(base)/\(repository)/resolve/\(revision)/\(escapePath(file))", headers: headers)
        }
        if let path { return [RemoteFile(path: path, request: resolve(path), expected: expected)] }

        var listing = TransferRequest(url: "\(base)/api/models/\(repository)/revision/\(revision)", headers: headers)
        listing.timeout = .seconds(60)
        let response = try fetchJSON(listing, cancelled: cancelled)
        guard let siblings = response["siblings"] as? [[String: Any]] else {
            throw ArtifactError(.permanent, "GET \(listing.displayURL): the answer lists no `siblings`; is `artifacts.huggingFace.endpoint` a Hugging Face Hub?")
        }
        let names = siblings.compactMap { $0["rfilename"] as? String }.sorted()
        guard !names.isEmpty else { throw ArtifactError(.permanent, "hf://\(repository)@\(revision) has no files") }
        for name in names where name.hasPrefix("/") || name.split(separator: "/").contains("..") {
            throw ArtifactError(.permanent, "the Hub lists `\(name)` in \(repository): not a path inside the snapshot; refusing it")
        }
        return names.map { RemoteFile(path: $0, request: resolve($0)) }
    }

    private func authorization() throws -> [(name: String, value: String)] {
        guard let file = settings.tokenFile else { return [] }
        return [(name: "Authorization", value: "Bearer \(try readSecret(file, what: "the Hugging Face token"))")]
    }
}

/// Percent-encodes each segment of a `/`-separated path.
func escapePath(_ path: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/?#;")
    return path.split(separator: "/", omittingEmptySubsequences: false)
        .map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }
        .joined(separator: "/")
}

/// A small JSON API answer as a dictionary; HTTP failures mapped to ``ArtifactError``.
func fetchJSON(_ request: TransferRequest, cancelled: @escaping () -> Bool) throws -> [String: Any] {
    let response: TransferResponse
    do {
        response = try HTTPTransfer.fetch(request, cancelled: cancelled)
    } catch let error as HTTPError {
        throw ArtifactError(error.kind == .setup ? .permanent : error.kind == .cancelled ? .cancelled : .transient, error.message)
    }
    guard (200..<300).contains(response.status) else {
        throw FileDownload.statusError(response.status, url: request.displayURL)
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
        throw ArtifactError(.permanent, "GET \(request.displayURL): the answer is not a JSON object")
    }
    return object
}
