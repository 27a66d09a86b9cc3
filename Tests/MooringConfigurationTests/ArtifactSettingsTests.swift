import Foundation
import MooringConfiguration
import MooringTesting
import Testing

/// `artifacts:` in the host configuration: endpoints and secret *files*, positioned errors.
struct ArtifactSettingsTests {
    @Test func everyArtifactKeyIsRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("config.yaml", """
            artifacts:
              cacheBudget: 50GiB
              partialMaxAge: 6h
              s3: {endpoint: "http://127.0.0.1:9000", region: eu-west-1, pathStyle: true, credentialsFile: secrets/s3, profile: models}
              huggingFace: {endpoint: "https://hf-mirror.example.com", tokenFile: /etc/mooring/hf-token}
              mlflow: {trackingURI: "http://127.0.0.1:5000", tokenFile: secrets/mlflow}
            """)
        let artifacts = try HostConfiguration.load(path: file.path).artifacts
        #expect(artifacts.cacheBudgetBytes == 50 << 30)
        #expect(artifacts.partialMaxAgeSeconds == 6 * 3600)
        #expect(artifacts.s3.endpoint == "http://127.0.0.1:9000")
        #expect(artifacts.s3.region == "eu-west-1")
        #expect(artifacts.s3.pathStyle)
        #expect(artifacts.s3.credentialsFile == dir.appending("secrets/s3").path)
        #expect(artifacts.s3.profile == "models")
        #expect(artifacts.huggingFace.endpoint == "https://hf-mirror.example.com")
        #expect(artifacts.huggingFace.tokenFile == "/etc/mooring/hf-token")
        #expect(artifacts.mlflow.trackingURI == "http://127.0.0.1:5000")
        #expect(artifacts.mlflow.tokenFile == dir.appending("secrets/mlflow").path)
    }

    @Test(arguments: [
        ("artifacts: {cacheBudget: lots}", "2:26: error: artifacts.cacheBudget: `lots` is not a size"),
        ("artifacts: {partialMaxAge: 5s}", "2:28: error: artifacts.partialMaxAge: `5s` is too short"),
        ("artifacts:\n  s3: {endpoint: \"https://key:secret@s3.example.com\"}", "3:18: error: artifacts.s3.endpoint: the URL carries credentials"),
        ("artifacts:\n  huggingFace: {endpoint: ftp://hub}", "3:27: error: artifacts.huggingFace.endpoint: `ftp://hub` is not an http(s):// URL"),
        ("artifacts:\n  mlflow: {trackingUri: x}", "3:12: error: artifacts.mlflow.trackingUri: unknown field `trackingUri`; did you mean `trackingURI`?"),
    ])
    func badArtifactSettingsArePositioned(yaml: String, expected: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("config.yaml", "# host\n" + yaml + "\n")
        let error = try #require(throws: HostConfigurationError.self) { try HostConfiguration.load(path: file.path) }
        #expect(error.description.contains(expected), "\(error)")
        #expect(!error.description.contains("key:secret"))
    }
}
