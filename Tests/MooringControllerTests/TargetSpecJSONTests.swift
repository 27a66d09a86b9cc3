import Foundation
@testable import MooringController
import MooringManifests
import Testing

/// A target's spec JSON, encoded once and kept: it must always be the JSON of the spec it
/// holds, and the hash computed with it the spec hash.
struct TargetSpecJSONTests {
    @Test func aNewTargetsHashAndStoredJSONAreThoseOfItsSpec() throws {
        let spec = try PlannerTests.spec("iris", version: "2", env: ["A": "1"])
        let target = Target(spec: spec, revision: String(repeating: "a", count: 40))
        #expect(target.hash == spec.specHash)
        #expect(target.storedSpecJSON == spec.storedJSON)
    }

    @Test func changingTheSpecChangesTheStoredJSON() throws {
        var target = Target(spec: try PlannerTests.spec("iris", replicas: 1), revision: String(repeating: "a", count: 40))
        let copy = target
        _ = target.storedSpecJSON
        target.spec.replicas = 3
        #expect(target.storedSpecJSON == target.spec.storedJSON)
        #expect(target.storedSpecJSON != copy.storedSpecJSON)
        #expect(copy.storedSpecJSON == copy.spec.storedJSON)
    }

    @Test func theCacheIsNotPartOfTheTargetsValue() throws {
        let spec = try PlannerTests.spec("iris")
        let warm = Target(spec: spec, revision: String(repeating: "b", count: 40))
        _ = warm.storedSpecJSON
        let cold = Target(spec: spec, revision: String(repeating: "b", count: 40), hash: spec.specHash)
        #expect(warm == cold)
        let decoded = try JSONDecoder().decode(Target.self, from: JSONEncoder().encode(warm))
        #expect(decoded == warm)
        #expect(decoded.storedSpecJSON == warm.storedSpecJSON)
    }
}
