import Foundation
import MooringStore
import Testing

/// Migration "v8-ports": a replica's named ports are stored with it, read back as they
/// were written, and the schema refuses anything but a JSON object.
struct ReplicaPortsTests {
    @Test func namedPortsRoundTripAndOldRowsHaveNone() throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        let plain = try store.insertReplica(sampleReplica(index: 0))
        #expect(try plain.namedPorts() == [:])
        var withPorts = sampleReplica(index: 1, port: 18_001)
        withPorts.setNamedPorts(["metrics": 18_003, "grpc": 18_002])
        #expect(withPorts.ports == #"{"grpc":18002,"metrics":18003}"#)
        let stored = try store.insertReplica(withPorts)
        #expect(try stored.namedPorts() == ["grpc": 18_002, "metrics": 18_003])
    }

    @Test(arguments: [#"[18002]"#, #"not json"#])
    func theSchemaRefusesPortsThatAreNotAnObject(_ text: String) throws {
        let store = try StateStore.inMemory()
        try store.upsertDeployment(sampleDeployment())
        var bad = sampleReplica()
        bad.ports = text
        let error = try #require(throws: StoreError.self) { try store.insertReplica(bad) }
        #expect(error.code == .constraintViolation)
        #expect(error.message.contains("replica_ports_json_object"), "\(error.message)")
    }
}
