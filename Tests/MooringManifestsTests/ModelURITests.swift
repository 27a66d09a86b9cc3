import MooringManifests
import Testing

/// `spec.model.uri` forms: what parses to what, and what is refused with which fix.
@Suite struct ModelURITests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    @Test(arguments: [
        ("models/iris.json", ModelURI.repository(path: "models/iris.json")),
        ("https://example.com/m/iris.onnx", .web(url: "https://example.com/m/iris.onnx")),
        ("http://127.0.0.1:8080/iris.json", .web(url: "http://127.0.0.1:8080/iris.json")),
        ("http://localhost/iris.json", .web(url: "http://localhost/iris.json")),
        ("http://[::1]:9000/iris.json", .web(url: "http://[::1]:9000/iris.json")),
        ("s3://bucket/iris/model.onnx", .s3(bucket: "bucket", key: "iris/model.onnx")),
        ("s3://bucket/iris/", .s3(bucket: "bucket", key: "iris/")),
        ("hf://acme/iris@\(commit)", .huggingFace(repository: "acme/iris", revision: commit, path: nil)),
        ("hf://acme/iris@\(commit)/sub/model.json", .huggingFace(repository: "acme/iris", revision: commit, path: "sub/model.json")),
        ("models:/iris/3", .mlflow(name: "iris", version: 3)),
    ])
    func parses(text: String, expected: ModelURI) throws {
        #expect(try ModelURI.parse(text).get() == expected)
    }

    @Test func directoriesAndFiles() throws {
        #expect(try ModelURI.parse("s3://b/p/").get().isDirectory)
        #expect(try !ModelURI.parse("s3://b/p/f.bin").get().isDirectory)
        #expect(try ModelURI.parse("hf://a/b@\(Self.commit)").get().isDirectory)
        #expect(try ModelURI.parse("models:/iris/1").get().isDirectory)
        #expect(try !ModelURI.parse("models/iris.json").get().isRemote)
    }

    @Test func plainHTTPToAnotherHostNeedsInsecure() throws {
        #expect(throws: ModelURIProblem.self) { try ModelURI.parse("http://10.0.0.5/iris.json").get() }
        #expect(try ModelURI.parse("http://10.0.0.5/iris.json", insecure: true).get() == .web(url: "http://10.0.0.5/iris.json"))
    }

    @Test(arguments: [
        ("hf://acme/iris@main", "not a commit hash"),
        ("hf://acme/iris", "names no revision"),
        ("hf://acme/iris@\(commit)/../x", "not a file path"),
        ("models:/iris@champion", "`models:/iris/<version>`"),
        ("models:/iris/Production", "stages such as `Production`"),
        ("models:/iris", "write `models:/NAME/VERSION`"),
        ("gs://bucket/iris", "unknown model URI scheme `gs://`"),
        ("s3:///key", "names no bucket"),
        ("https://example.com", "names no file"),
    ])
    func refusesWithAFix(text: String, fragment: String) {
        guard case let .failure(problem) = ModelURI.parse(text) else {
            Issue.record("`\(text)` parsed")
            return
        }
        #expect(problem.message.contains(fragment), "\(problem.message)")
    }

    @Test(arguments: ["https://alice:s3cret@example.com/iris.json", "s3://key:s3cret@bucket/iris",
                      "hf://tok:s3cret@acme/iris@\(commit)"])
    func credentialsAreRefusedWithoutRepeatingThem(text: String) {
        guard case let .failure(problem) = ModelURI.parse(text) else {
            Issue.record("`\(text)` parsed")
            return
        }
        #expect(problem.message.contains("carries credentials"))
        #expect(!problem.message.contains("s3cret"))
    }
}
