import Foundation
import MooringArtifacts
import MooringHTTP
import MooringTesting
import Testing

/// `s3://` artifacts against a real S3-compatible server (moto in server mode, from PyPI),
/// path-style, signed with SigV4 by libcurl: one object, a prefix as a directory, and an
/// object that changed (a new ETag) fetched again.
@Suite(.serialized) struct S3Tests {
    /// A moto server on a free loopback port, stopped on deinit.
    final class Moto: @unchecked Sendable {
        let process: ManagedProcess
        let endpoint: String
        let work: TemporaryDirectory

        init() async throws {
            let python = try PythonEnvironment.python("moto", packages: ["moto[server]==5.2.5"])
            let port = try freeLoopbackPort()
            work = try TemporaryDirectory(prefix: "mooring-moto")
            let server = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("moto_server").path
            process = try ManagedProcess(executable: server, arguments: ["-H", "127.0.0.1", "-p", "\(port)"],
                                         outputDirectory: work.url, name: "moto")
            endpoint = "http://127.0.0.1:\(port)"
            let up = await waitUntil(timeout: .seconds(60), interval: .milliseconds(200)) { [endpoint = endpoint, process = process] in
                if process.hasExited { return true }
                return (try? await httpRequest(endpoint + "/", timeout: .seconds(2))) != nil
            }
            guard up, !process.hasExited else { throw TestingError("moto_server did not start: \(process.stderr)") }
        }

        /// Creates a bucket or an object (through MooringHTTP's libcurl wrapper: a PUT with a body).
        func put(_ path: String, _ body: Data = Data()) async throws {
            var request = TransferRequest(method: "PUT", url: "\(endpoint)/\(path)",
                                      headers: [(name: "Content-Type", value: "application/octet-stream")], body: body)
            request.awsSignature = AWSSignature(region: "us-east-1", accessKeyID: "AKIAMOORINGTEST", secretAccessKey: "mooring-test-secret")
            let signed = request
            let response = try await HTTPTransfer.onOwnThread { try HTTPTransfer.fetch(signed) }
            guard response.status == 200 else {
                throw TestingError("PUT \(path): HTTP \(response.status): \(String(decoding: response.body, as: UTF8.self))")
            }
        }

        deinit {
            _ = process.kill()
            work.remove()
        }
    }

    static func settings(_ moto: Moto, _ fixture: ArtifactFixture) throws -> ArtifactSettings {
        let credentials = try fixture.directory.write("aws-credentials", """
            [default]
            aws_access_key_id = AKIAMOORINGTEST
            aws_secret_access_key = mooring-test-secret
            """)
        var settings = ArtifactSettings()
        settings.s3.endpoint = moto.endpoint
        settings.s3.pathStyle = true
        settings.s3.credentialsFile = credentials.path
        return settings
    }

    @Test func oneObjectAndThenAChangedOne() async throws {
        let moto = try await Moto()
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let settings = try Self.settings(moto, fixture)
        try await moto.put("models")
        let first = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try await moto.put("models/iris/model.bin", first)

        let uri = "s3://models/iris/model.bin"
        let path = try await fixture.fetch(uri, settings: settings)
        #expect(try Data(contentsOf: path) == first)
        let record = try #require(fixture.cache.record(for: uri))
        #expect(record.kind == .file)
        #expect(record.origin["etag"]?.isEmpty == false)
        #expect(!(try String(contentsOf: fixture.cache.indexFile(for: uri), encoding: .utf8)).contains("mooring-test-secret"))
        #expect(try await fixture.fetch(uri, settings: settings) == path)

        let second = Data("a retrained model".utf8)
        try await moto.put("models/iris/model.bin", second)
        let changed = try await fixture.fetch(uri, settings: settings)
        #expect(changed != path)
        #expect(try Data(contentsOf: changed) == second)
        #expect(fixture.cache.record(for: uri)?.origin["etag"] != record.origin["etag"])
    }

    @Test func aPrefixBecomesADirectory() async throws {
        let moto = try await Moto()
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        let settings = try Self.settings(moto, fixture)
        try await moto.put("models")
        try await moto.put("models/llm/config.json", Data("{\"layers\": 2}".utf8))
        try await moto.put("models/llm/weights/part-1.bin", Data(repeating: 1, count: 100_000))
        try await moto.put("models/llm/weights/part-2.bin", Data(repeating: 2, count: 100_000))
        try await moto.put("models/other/ignored.bin", Data("not mine".utf8))

        let tree = try await fixture.fetch("s3://models/llm/", settings: settings)
        #expect(try Data(contentsOf: tree.appendingPathComponent("config.json")) == Data("{\"layers\": 2}".utf8))
        #expect(try Data(contentsOf: tree.appendingPathComponent("weights/part-2.bin")) == Data(repeating: 2, count: 100_000))
        let record = try #require(fixture.cache.record(for: "s3://models/llm/"))
        #expect(record.files?.map(\.path) == ["config.json", "weights/part-1.bin", "weights/part-2.bin"])
        #expect(record.files?.allSatisfy { $0.etag != nil } == true)
        #expect(!FileManager.default.fileExists(atPath: tree.appendingPathComponent("ignored.bin").path))

        let missing = try await #require(throws: ArtifactError.self) {
            try await fixture.fetch("s3://models/none/", settings: settings)
        }
        #expect(missing.kind == .permanent && missing.message.contains("holds no objects"), "\(missing)")
    }
}
