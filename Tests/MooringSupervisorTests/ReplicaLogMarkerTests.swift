import Foundation
import MooringSupervisor
import Testing

/// The supervisor's start lines split a replica's log into processes (`mooring logs --previous`).
struct ReplicaLogMarkerTests {
    static let id = ReplicaID(deployment: "iris", replica: 0, generation: "g1")
    static let start1 = ReplicaLogMarker.startLine(id, program: "python3", at: Date(timeIntervalSince1970: 1_800_000_000)).dropLast()
    static let start2 = ReplicaLogMarker.startLine(id, program: "python3", at: Date(timeIntervalSince1970: 1_800_000_060)).dropLast()

    @Test func aStartLineCarriesATimestampAndIsRecognized() {
        #expect(Self.start1 == "2027-01-15T08:00:00.000Z mooring: starting iris/g1/0 (python3)")
        #expect(ReplicaLogMarker.isStartLine(Self.start1))
        #expect(!ReplicaLogMarker.isStartLine("the model says: mooring: starting"))
        #expect(!ReplicaLogMarker.isStartLine("2027-01-15T08:00:00Z model started"))
    }

    @Test(arguments: [
        // (log, the previous process's lines or nil)
        ([start1, "a", start2, "b"], [start1, "a"]),
        (["old", start1, "a", start2, "b"], [start1, "a"]),
        ([start1, "a", "a2", start2, "b", start1, "c"], [start2, "b"]),
        (["from before start lines", start1, "a"], ["from before start lines"]),
        ([start1, "a"], nil),
        (["no start line"], nil),
    ] as [([Substring], [Substring]?)])
    func thePreviousProcessIsBetweenTheLastTwoStartLines(log: [Substring], previous: [Substring]?) {
        #expect(ReplicaLogMarker.previousProcess(in: log) == previous)
    }
}
