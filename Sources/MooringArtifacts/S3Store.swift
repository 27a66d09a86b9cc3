import Foundation
import MooringHTTP

/// Objects of an S3 bucket (AWS or an S3-compatible store: `endpoint`, `region`,
/// `pathStyle`), signed with libcurl's `CURLOPT_AWS_SIGV4`. A key is one object (its ETag
/// and version from a `HEAD`); a key ending in `/` is every object under that prefix
/// (`ListObjectsV2`), kept as a directory.
struct S3Store {
    let settings: ArtifactSettings.S3

    func files(bucket: String, key: String, expected: String?, cancelled: @escaping () -> Bool) throws -> [RemoteFile] {
        let signature = try credentials()
        if !key.isEmpty && !key.hasSuffix("/") {
            var head = request(bucket: bucket, key: key, signature: signature)
            head.method = "HEAD"
            head.timeout = .seconds(60)
            let answer: HTTPResponseHead
            do {
                answer = try HTTPTransfer.perform(head, cancelled: cancelled) { _ in }
            } catch let error as HTTPError {
                throw ArtifactError(error.kind == .setup ? .permanent : .transient, error.message)
            }
            guard answer.status == 200 else { throw FileDownload.statusError(answer.status, url: head.displayURL) }
            var file = RemoteFile(path: (key as NSString).lastPathComponent, request: request(bucket: bucket, key: key, signature: signature),
                                  expected: expected, etag: answer.header("ETag"), size: answer.header("Content-Length").flatMap { Int64($0) })
            if let version = answer.header("x-amz-version-id") { file.version = version }
            return [file]
        }
        var files: [RemoteFile] = []
        var token: String?
        repeat {
            var query = "list-type=2&prefix=\(queryEscape(key))"
            if let token { query = "continuation-token=\(queryEscape(token))&" + query }
            var listing = TransferRequest(url: bucketURL(bucket) + "?" + query)
            listing.awsSignature = signature
            listing.timeout = .seconds(60)
            let response: TransferResponse
            do {
                response = try HTTPTransfer.fetch(listing, cancelled: cancelled)
            } catch let error as HTTPError {
                throw ArtifactError(error.kind == .setup ? .permanent : .transient, error.message)
            }
            guard response.status == 200 else { throw FileDownload.statusError(response.status, url: listing.displayURL) }
            let xml = String(decoding: response.body, as: UTF8.self)
            for contents in elements("Contents", in: xml) {
                guard let objectKey = elements("Key", in: contents).first.map(xmlUnescape), !objectKey.hasSuffix("/") else { continue }
                let relative = String(objectKey.dropFirst(key.count))
                guard !relative.isEmpty, !relative.split(separator: "/").contains("..") else { continue }
                files.append(RemoteFile(path: relative, request: request(bucket: bucket, key: objectKey, signature: signature),
                                        etag: elements("ETag", in: contents).first.map(xmlUnescape),
                                        size: elements("Size", in: contents).first.flatMap { Int64($0) }))
            }
            token = elements("IsTruncated", in: xml).first == "true" ? elements("NextContinuationToken", in: xml).first.map(xmlUnescape) : nil
        } while token != nil
        guard !files.isEmpty else {
            throw ArtifactError(.permanent, "s3://\(bucket)/\(key) holds no objects; upload the model or fix the prefix")
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Whether a recorded artifact still matches the objects (same keys, same ETags).
    static func unchanged(_ record: ArtifactRecord, _ files: [RemoteFile]) -> Bool {
        if record.kind == .file {
            return files.count == 1 && files[0].etag != nil && record.origin["etag"] == files[0].etag
        }
        let recorded = Dictionary((record.files ?? []).map { ($0.path, $0.etag ?? "") }, uniquingKeysWith: { a, _ in a })
        return recorded.count == files.count && files.allSatisfy { $0.etag != nil && recorded[$0.path] == $0.etag }
    }

    /// What the index records of where the bytes came from.
    static func origin(_ files: [RemoteFile]) -> [String: String] {
        guard files.count == 1 else { return [:] }
        return files[0].version.map { ["versionId": $0] } ?? [:]
    }

    private func bucketURL(_ bucket: String) -> String {
        let endpoint = settings.endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "https://s3.\(settings.region).amazonaws.com"
        if settings.pathStyle { return "\(endpoint)/\(bucket)" }
        guard let schemeEnd = endpoint.range(of: "://") else { return "\(endpoint)/\(bucket)" }
        return endpoint[..<schemeEnd.upperBound] + bucket + "." + endpoint[schemeEnd.upperBound...]
    }

    private func request(bucket: String, key: String, signature: AWSSignature?) -> TransferRequest {
        var request = TransferRequest(url: "\(bucketURL(bucket))/\(escapePath(key))")
        request.awsSignature = signature
        return request
    }

    /// Keys from `credentialsFile` (an AWS shared credentials file), else from the
    /// environment, else none (unsigned requests).
    private func credentials() throws -> AWSSignature? {
        if let file = settings.credentialsFile {
            let text = try readSecret(file, what: "the S3 credentials")
            var section = "", values: [String: String] = [:]
            for raw in text.split(whereSeparator: \.isNewline) {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("[") && line.hasSuffix("]") {
                    section = String(line.dropFirst().dropLast()).replacingOccurrences(of: "profile ", with: "")
                } else if section == settings.profile, let equals = line.firstIndex(of: "=") {
                    values[line[..<equals].trimmingCharacters(in: .whitespaces)] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                }
            }
            guard let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else {
                throw ArtifactError(.permanent, "the S3 credentials file \(file) has no aws_access_key_id and aws_secret_access_key in profile [\(settings.profile)]")
            }
            return AWSSignature(region: settings.region, accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"])
        }
        let environment = ProcessInfo.processInfo.environment
        guard let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else { return nil }
        return AWSSignature(region: settings.region, accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
    }
}

/// The text of every `<name>…</name>` element in `xml` (no nesting of the same name).
func elements(_ name: String, in xml: String) -> [String] {
    var results: [String] = []
    var rest = Substring(xml)
    while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
        results.append(String(rest[open.upperBound..<close.lowerBound]))
        rest = rest[close.upperBound...]
    }
    return results
}

func xmlUnescape(_ text: String) -> String {
    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&amp;", with: "&")
}

func queryEscape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-_.~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}
