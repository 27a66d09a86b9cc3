import Foundation
import MooringTesting
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `examples/mlserver-sklearn` deployed for real: MLServer from PyPI (a virtualenv cached
/// under .build), the example's own manifests and models, the built binary. It predicts,
/// rolls from v1 to v2 while a client calls the replica's address as `status` publishes it
/// (zero failed requests), answers on its gRPC port, and writes nothing into the revision
/// export (everything goes to `{{scratch.dir}}`).
@Suite(.timeLimit(.minutes(8)))
struct MLServerExampleTests {
    static let packages = ["mlserver==1.6.1", "mlserver-sklearn==1.6.1", "scikit-learn==1.5.2"]
    static let example = MooringBinary.packageRoot.appendingPathComponent("examples/mlserver-sklearn")

    @Test func deploysPredictsAndRollsToV2WithoutAFailedRequest() async throws {
        let python = try PythonEnvironment.python("mlserver-sklearn", packages: Self.packages)
        let venv = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent().path
        try await ControllerHarness.with(name: "mlserver") { h in
            // The example as it is, with a shorter minHealthySeconds for the test's sake.
            let models = h.repo.directory.appendingPathComponent("examples/mlserver-sklearn")
            try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.example.appendingPathComponent("models"), to: models.appendingPathComponent("models"))
            let runtime = try String(contentsOf: Self.example.appendingPathComponent("manifests/runtime.yaml"), encoding: .utf8)
            let iris = try String(contentsOf: Self.example.appendingPathComponent("manifests/iris.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "minHealthySeconds: 10", with: "minHealthySeconds: 2")
            try h.repo.write("manifests/runtime.yaml", runtime)
            try h.repo.write("manifests/iris.yaml", iris)
            let first = try h.repo.commitAll("deploy the MLServer example, v1")
            let config = h.directory.url.appendingPathComponent("host.yaml")
            try "hostVars: {mlserver-venv: \(venv)}\n".write(to: config, atomically: true, encoding: .utf8)
            try h.startController(interval: "500ms", arguments: ["--config", config.path])
            #expect(try await h.waitUntilServing("iris-mlserver", at: first, timeout: .seconds(240)), "\(h.controllerLog)")

            // v1 predicts; its gRPC port (a named port, shown in status) accepts connections.
            let row = try #require(try await h.deployment("iris-mlserver"))
            let endpoint = try #require(row["endpoint"] as? String)
            #expect(try await predict(endpoint) == "v1")
            let replica = try #require((row["replicaDetails"] as? [[String: Any]])?.first)
            let ports = try #require(replica["ports"] as? [String: Int])
            let grpc = try #require(ports["grpc"])
            #expect(ports["metrics"] != nil)
            #expect(canConnect(port: grpc), "nothing listens on the gRPC port \(grpc)")
            let metrics = try await httpRequest("http://127.0.0.1:\(ports["metrics"] ?? 0)/metrics")
            #expect(metrics.status == 200)

            // Roll to v2 while a client keeps calling the address status publishes.
            let counts = Mutex((ok: 0, failed: 0, last: ""))
            let stop = Mutex(false)
            let client = Task {
                while !stop.withLock({ $0 }) {
                    guard let address = try? await h.deployment("iris-mlserver")?["endpoint"] as? String else { continue }
                    do {
                        let version = try await predict(address)
                        counts.withLock { $0.ok += 1; $0.last = version }
                    } catch {
                        counts.withLock { $0.failed += 1 }
                    }
                }
            }
            try h.repo.write("manifests/iris.yaml", iris.replacingOccurrences(of: "iris-v1", with: "iris-v2")
                .replacingOccurrences(of: "version: \"v1\"", with: "version: \"v2\""))
            let second = try await h.commit("iris-mlserver: v2")
            let served = try await h.waitUntilServing("iris-mlserver", at: second, timeout: .seconds(240))
            #expect(await waitUntil(timeout: .seconds(30)) { counts.withLock { $0.last == "v2" } })
            stop.withLock { $0 = true }
            _ = await client.value
            #expect(served, "\(h.controllerLog)")
            let result = counts.withLock { $0 }
            #expect(result.failed == 0, "\(result.failed) failed requests of \(result.ok + result.failed)")
            #expect(result.ok > 0)
            #expect(result.last == "v2")
            #expect(await waitUntil(timeout: .seconds(60)) { h.modelProcesses().count == 1 })

            // The revision exports hold exactly the commits' files: MLServer wrote nothing there.
            for revision in [first, second] {
                let tracked = Set(try h.repo.git("ls-tree", "-r", "--name-only", revision).split(separator: "\n").map(String.init))
                let export = h.stateDirectory.appendingPathComponent("revisions/\(revision)")
                guard FileManager.default.fileExists(atPath: export.path) else { continue }
                #expect(Set(try filesUnder(export)) == tracked, "revision \(revision.prefix(7))")
            }
        }
    }
}

/// A v2 inference request to the iris model at `address`; the model version that answered.
private func predict(_ address: String) async throws -> String {
    let body = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[5.1,3.5,1.4,0.2]}]}"#
    let response = try await httpRequest("\(address)/v2/models/iris/infer", method: "POST", body: Data(body.utf8), timeout: .seconds(10))
    guard response.status == 200 else { throw TestingError("infer answered \(response.status): \(response.text.prefix(200))") }
    return try response.jsonObject()["model_version"] as? String ?? ""
}

/// Whether a TCP connection to 127.0.0.1:`port` is accepted.
private func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

/// Every file under `root`, as paths relative to it.
private func filesUnder(_ root: URL) throws -> [String] {
    let base = root.resolvingSymlinksInPath().path
    guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
    var files: [String] = []
    while let path = walker.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(path)
        }
    }
    return files
}
