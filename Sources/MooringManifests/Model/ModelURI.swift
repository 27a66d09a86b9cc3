import Foundation

/// Where `spec.model.uri` points, parsed. Everything but ``repository(path:)`` is a
/// *remote* artifact, fetched into the controller's content-addressed cache during the
/// rollout's `Preparing` phase (see `docs/artifacts.md`).
public enum ModelURI: Hashable, Sendable {
    /// A path inside the repository at the revision being applied.
    case repository(path: String)
    /// An `https://` (or, for loopback or with `insecure: true`, `http://`) single file.
    case web(url: String)
    /// `s3://bucket/key` (a single object) or `s3://bucket/prefix/` (every object under it:
    /// a model directory); `key` ends in `/` (or is empty) for a prefix.
    case s3(bucket: String, key: String)
    /// `hf://org/repo@<40-hex commit>[/path]`: one file, or the whole snapshot without a path.
    case huggingFace(repository: String, revision: String, path: String?)
    /// `models:/NAME/VERSION`: a version of a model in an MLflow model registry.
    case mlflow(name: String, version: Int)

    /// Whether the artifact is fetched into the cache rather than read from the revision.
    public var isRemote: Bool {
        if case .repository = self { return false }
        return true
    }

    /// Whether the URI names a directory (an S3 prefix, a Hugging Face snapshot, an MLflow
    /// model's artifact directory) rather than a single file.
    public var isDirectory: Bool {
        switch self {
        case .repository, .web: return false
        case let .s3(_, key): return key.isEmpty || key.hasSuffix("/")
        case let .huggingFace(_, _, path): return path == nil
        case .mlflow: return true
        }
    }

    /// Parses `text`; a problem is a message that says what to write instead.
    public static func parse(_ text: String, insecure: Bool = false) -> Result<ModelURI, ModelURIProblem> {
        func problem(_ message: String) -> Result<ModelURI, ModelURIProblem> { .failure(ModelURIProblem(message: message)) }
        if text.isEmpty { return problem("the model URI is empty; give a path inside the repository or an https://, s3://, hf:// or models:/ URI") }
        if text.hasPrefix("models:") { return parseMLflow(text) }
        guard let schemeEnd = text.range(of: "://") else {
            if text.hasPrefix("/") {
                return problem("`\(text)` is an absolute path; give a path inside the repository, such as `models/iris.json`")
            }
            if text.split(separator: "/").contains("..") {
                return problem("`\(text)` uses `..`; give a path inside the repository without `..`")
            }
            return .success(.repository(path: text))
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = String(text[schemeEnd.upperBound...])
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if authority.contains("@") && scheme != "hf" {
            return credentialsProblem
        }
        switch scheme {
        case "https":
            guard !authority.isEmpty, !rest.dropFirst(authority.count).isEmpty else {
                return problem("`\(text)` names no file; give the file's full URL, such as `https://example.com/models/iris.onnx`")
            }
            return .success(.web(url: text))
        case "http":
            guard !authority.isEmpty else { return problem("`\(text)` names no host; give the file's full URL") }
            if !insecure && !isLoopback(authority: authority) {
                return problem("`\(text)` is plain HTTP to a host that is not loopback: anyone on the path can change the model; use https://, or set `insecure: true` next to the URI if you accept that (sha256 still checks the bytes)")
            }
            return .success(.web(url: text))
        case "s3":
            guard !authority.isEmpty else { return problem("`\(text)` names no bucket; write `s3://BUCKET/KEY` or `s3://BUCKET/PREFIX/`") }
            let key = String(rest.dropFirst(authority.count + 1))
            return .success(.s3(bucket: authority, key: key))
        case "hf":
            return parseHuggingFace(text, rest: rest)
        default:
            return problem("unknown model URI scheme `\(scheme)://`; use a path inside the repository, https://, s3://, hf://ORG/REPO@COMMIT or models:/NAME/VERSION")
        }
    }

    /// The URI is not repeated: it holds a secret.
    private static let credentialsProblem = Result<ModelURI, ModelURIProblem>.failure(ModelURIProblem(message:
        "the model URI carries credentials (`user:secret@` before the host); remove them — a secret committed to Git is public to everyone who can read the repository; credentials come from the host configuration (`artifacts:` in the controller's config file)"))

    private static func parseHuggingFace(_ text: String, rest: String) -> Result<ModelURI, ModelURIProblem> {
        func problem(_ message: String) -> Result<ModelURI, ModelURIProblem> { .failure(ModelURIProblem(message: message)) }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first?.contains("@") == true || parts.first?.contains(":") == true { return credentialsProblem }
        guard parts.count >= 2, !parts[0].isEmpty, let at = parts[1].firstIndex(of: "@") else {
            return problem("`\(text)` names no revision; write `hf://ORG/REPO@COMMIT[/PATH]` with the full 40-character commit hash (the Hub's \"Files and versions\" page shows it)")
        }
        let repository = parts[0] + "/" + parts[1][..<at]
        let revision = String(parts[1][parts[1].index(after: at)...])
        guard revision.count == 40, revision.allSatisfy(\.isHexDigit) else {
            return problem("`\(revision)` is not a commit hash: a branch or tag moves on the Hub without a commit in this repository, so the deployed model would change behind Git's back; pin the full 40-character commit hash (`hf://\(repository)@<commit>`)")
        }
        let path = parts.count > 2 ? parts[2...].joined(separator: "/") : nil
        if let path, path.isEmpty || path.split(separator: "/").contains("..") {
            return problem("`\(path)` is not a file path inside the Hugging Face repository; give a path such as `model.safetensors`, or none for the whole snapshot")
        }
        return .success(.huggingFace(repository: String(repository), revision: revision.lowercased(), path: path))
    }

    private static func parseMLflow(_ text: String) -> Result<ModelURI, ModelURIProblem> {
        func problem(_ message: String) -> Result<ModelURI, ModelURIProblem> { .failure(ModelURIProblem(message: message)) }
        var rest = text.dropFirst("models:".count)
        guard rest.hasPrefix("/") else { return problem("`\(text)` is not an MLflow model URI; write `models:/NAME/VERSION`") }
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        if let at = rest.firstIndex(of: "@") {
            let name = rest[..<at], alias = rest[rest.index(after: at)...]
            return problem("`@\(alias)` is an MLflow alias: it moves in the registry without a commit in this repository, so it is not Git-tracked desired state; pin the version it points to, such as `models:/\(name)/<version>` (`mlflow models` or the registry UI shows it)")
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            return problem("`\(text)` is not an MLflow model version; write `models:/NAME/VERSION`, such as `models:/iris/3`")
        }
        guard let version = Int(parts[1]), version > 0 else {
            return problem("`\(parts[1])` is not a model version number (stages such as `Production` move outside Git); write `models:/\(parts[0])/<version>`")
        }
        return .success(.mlflow(name: String(parts[0]), version: version))
    }

    private static func isLoopback(authority: String) -> Bool {
        var host = authority
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// Why a model URI cannot be used, said with what to write instead.
public struct ModelURIProblem: Error, Hashable, Sendable {
    public var message: String
}

extension ModelURI {
    /// Whether it is an `http://` (not `https://`) URL.
    public var isPlainHTTP: Bool {
        if case let .web(url) = self { return url.lowercased().hasPrefix("http://") }
        return false
    }
}
