import Foundation
import MooringStore
import Testing

/// Migration "v10-previous-spec": the spec served before the applied one (with a different
/// model) is stored with the deployment — all three columns or none, the spec valid JSON.
struct PreviousSpecColumnsTests {
    @Test func thePreviousSpecRoundTripsAndOldRowsHaveNone() throws {
        let store = try StateStore.inMemory()
        let plain = try store.upsertDeployment(sampleDeployment())
        #expect(plain.previousSpec == nil && plain.previousSpecHash == nil && plain.previousRevision == nil)
        var deployment = sampleDeployment()
        deployment.previousSpec = #"{"model":{"uri":"models:/iris/1"}}"#
        deployment.previousSpecHash = String(repeating: "c", count: 64)
        deployment.previousRevision = String(repeating: "1", count: 40)
        let stored = try store.upsertDeployment(deployment)
        #expect(stored.previousSpec == deployment.previousSpec)
        #expect(stored.previousRevision == deployment.previousRevision)
    }

    @Test(arguments: [
        ("not json", "hash", "rev", "deployment_previous_spec_json"),
        (#"{"a":1}"#, nil, "rev", "deployment_previous_triple"),
        (nil, "hash", nil, "deployment_previous_triple"),
    ] as [(String?, String?, String?, String)])
    func theSchemaRefusesAPartialOrInvalidPreviousSpec(spec: String?, hash: String?, revision: String?, constraint: String) throws {
        let store = try StateStore.inMemory()
        var deployment = sampleDeployment()
        deployment.previousSpec = spec
        deployment.previousSpecHash = hash
        deployment.previousRevision = revision
        let error = try #require(throws: StoreError.self) { try store.upsertDeployment(deployment) }
        #expect(error.code == .constraintViolation)
        #expect(error.message.contains(constraint), "\(error.message)")
    }
}
