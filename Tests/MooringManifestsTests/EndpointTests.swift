import Foundation
import MooringManifests
import Testing

/// `spec.endpoint`: decoding, defaults, positioned diagnostics, repository-wide port
/// uniqueness, `policy.endpointPortRanges`, and its place in the spec identity.
@Suite struct EndpointTests {
    static func deployment(_ name: String, _ spec: String) -> String {
        "apiVersion: mooring.dev/v1alpha1\nkind: ModelDeployment\nmetadata: {name: \(name)}\nspec:\n  command: [python3, serve.py]\n" + spec
    }

    static func load(_ files: [(String, String)], policy: ManifestPolicy = .trusting) -> ManifestSet {
        ManifestSet.load(files: files.map { ManifestFile(path: $0.0, contents: Data($0.1.utf8)) }, policy: policy)
    }

    @Test func defaultsApplyAndURLIsShown() throws {
        let set = Self.load([("m/iris.yaml", Self.deployment("iris", "  endpoint: {port: 8080}\n"))])
        #expect(set.isValid, "\(set.diagnostics)")
        let endpoint = try #require(set.deployments.first?.endpoint)
        #expect(endpoint == StableEndpoint(port: 8080, address: "127.0.0.1", protocol: .http))
        #expect(endpoint.url == "http://127.0.0.1:8080")
        #expect(StableEndpoint(port: 9000, address: "::1", protocol: .tcp).url == "tcp://[::1]:9000")
    }

    @Test(arguments: [
        ("  endpoint: {address: 127.0.0.1}\n", "6:13", "spec.endpoint.port", "missing required field `port`"),
        ("  endpoint: {port: 70000}\n", "6:20", "spec.endpoint.port", "65535"),
        ("  endpoint: {port: 8080, address: localhost}\n", "6:35", "spec.endpoint.address", "not a numeric IP address"),
        ("  endpoint: {port: 8080, protocol: grpc}\n", "6:36", "spec.endpoint.protocol", "grpc"),
        ("  endpoint: {port: 8080, protocl: tcp}\n", "6:26", "spec.endpoint.protocl", "did you mean `protocol`"),
    ])
    func badEndpointsAreRejectedWithPositions(spec: String, position: String, field: String, message: String) throws {
        let set = Self.load([("m/iris.yaml", Self.deployment("iris", spec))])
        #expect(!set.isValid)
        let error = try #require(set.diagnostics.first { $0.field == field }, "\(set.diagnostics)")
        #expect("\(error.position.line):\(error.position.column)" == position, "\(error)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func portIsUniqueAcrossTheRepository() throws {
        let set = Self.load([
            ("m/a.yaml", Self.deployment("a", "  endpoint: {port: 8080}\n")),
            ("m/b.yaml", Self.deployment("b", "  endpoint: {port: 8080, address: 0.0.0.0}\n")),
        ])
        #expect(!set.isValid)
        let error = try #require(set.diagnostics.first { $0.field == "spec.endpoint.port" }, "\(set.diagnostics)")
        #expect(error.position.file == "m/b.yaml")
        #expect(error.message.contains("already the endpoint of ModelDeployment `a` (m/a.yaml:6:20)"), "\(error.message)")
    }

    @Test func hostPortRangesAreEnforced() throws {
        let policy = ManifestPolicy(endpointPortRanges: [8000...8099])
        let inside = Self.load([("m/a.yaml", Self.deployment("a", "  endpoint: {port: 8050}\n"))], policy: policy)
        #expect(inside.isValid, "\(inside.diagnostics)")
        let outside = Self.load([("m/a.yaml", Self.deployment("a", "  endpoint: {port: 9000}\n"))], policy: policy)
        let error = try #require(outside.diagnostics.first { $0.field == "spec.endpoint.port" }, "\(outside.diagnostics)")
        #expect(error.message.contains("policy.endpointPortRanges"), "\(error.message)")
        #expect(error.message.contains("8000-8099"), "\(error.message)")
    }

    @Test func endpointChangesTheSpecNotTheTemplate() throws {
        let without = Self.load([("m/a.yaml", Self.deployment("a", ""))]).deployments[0]
        let with = Self.load([("m/a.yaml", Self.deployment("a", "  endpoint: {port: 8080}\n"))]).deployments[0]
        let moved = Self.load([("m/a.yaml", Self.deployment("a", "  endpoint: {port: 8081}\n"))]).deployments[0]
        #expect(with.specHash != without.specHash)
        #expect(moved.specHash != with.specHash)
        #expect(with.templateHash == without.templateHash)
        #expect(moved.templateHash == without.templateHash)
        // No endpoint: the canonical JSON has no `endpoint` key, so existing hashes stay.
        #expect(!String(decoding: without.canonicalJSON(), as: UTF8.self).contains("endpoint"))
    }
}
