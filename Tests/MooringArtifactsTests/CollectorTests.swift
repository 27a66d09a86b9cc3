import Foundation
import MooringArtifacts
import MooringTesting
import Testing

/// The cache's collector: oldest unreferenced artifacts go first, only while over the
/// budget; referenced ones (and files they share) stay.
@Suite struct CollectorTests {
    @Test func removesTheOldestUnreferencedUntilUnderTheBudget() async throws {
        let fixture = try ArtifactFixture()
        defer { fixture.cleanup() }
        var uris: [String] = []
        for index in 0..<4 {
            let digest = try fixture.serve("m\(index).bin", size: 100_000, seed: UInt64(index + 10))
            let uri = "\(fixture.server.baseURL)/m\(index).bin"
            _ = try await fixture.fetch(uri, sha256: digest)
            uris.append(uri)
            try await Task.sleep(for: .milliseconds(1100))  // distinct fetch times (the index keeps seconds)
        }
        let collector = ArtifactCollector(cache: fixture.cache, budgetBytes: 250_000)
        #expect(collector.cachedBytes() == 400_000)
        // m0 is the oldest but still referenced; m1 and m2 go, m3 (newest) is not needed.
        let outcome = collector.collect(keeping: [uris[0]])
        #expect(outcome.removed == [uris[1], uris[2]])
        #expect(outcome.freedBytes == 200_000)
        #expect(fixture.cache.record(for: uris[0]) != nil && fixture.cache.record(for: uris[3]) != nil)
        #expect(fixture.cache.record(for: uris[1]) == nil)

        #expect(ArtifactCollector(cache: fixture.cache, budgetBytes: nil).collect(keeping: []).removed.isEmpty)
    }
}
