import Foundation
import MooringModelChecks
import Testing

@Suite("JSON paths")
struct JSONPathTests {
    static let answer = """
    {"outputs":[{"name":"predict","data":[2,0.5]}],"choices":[{"message":{"content":"Paris"}}],"a key":{"x":true}}
    """

    struct Selection: Sendable, CustomTestStringConvertible {
        var path: String
        var expected: JSONValue?
        var testDescription: String { path }
    }

    @Test("selects members, indexes and quoted names", arguments: [
        Selection(path: "$", expected: nil),
        Selection(path: "$.outputs[0].data[0]", expected: .number(2)),
        Selection(path: "$.outputs[0].data[-1]", expected: .number(0.5)),
        Selection(path: "$.outputs[0].name", expected: .string("predict")),
        Selection(path: "$.choices[0].message.content", expected: .string("Paris")),
        Selection(path: "$[\"a key\"].x", expected: .bool(true)),
        Selection(path: "$['a key']['x']", expected: .bool(true)),
    ])
    func selects(_ row: Selection) throws {
        let root = try JSONValue.parse(Data(Self.answer.utf8))
        let got = try JSONPath(row.path).select(in: root).get()
        #expect(got == (row.expected ?? root))
    }

    @Test("says why nothing is selected", arguments: [
        ("$.outputs[3]", "$.outputs[3] is out of range: the array has 1 element"),
        ("$.outputs[0].missing", "$.outputs[0] has no member `missing` (it has: data, name)"),
        ("$.outputs.data", "$.outputs is an array, not an object"),
        ("$.choices[0].message.content[0]", "$.choices[0].message.content is a string, not an array"),
    ])
    func failsToSelect(path: String, message: String) throws {
        let root = try JSONValue.parse(Data(Self.answer.utf8))
        guard case let .failure(error) = try JSONPath(path).select(in: root) else {
            Issue.record("\(path) selected something")
            return
        }
        #expect(error.message == message)
    }

    @Test("rejects paths outside the subset", arguments: [
        ("outputs[0]", "must start with `$`"),
        ("$.", "a member name is missing"),
        ("$[x]", "`[x]` is not an index"),
        ("$[0", "`]` is missing"),
        ("$['a", "the quoted name is not closed"),
        ("$x", "expected `.` or `[`, found `x`"),
    ])
    func rejects(path: String, fragment: String) {
        #expect {
            _ = try JSONPath(path)
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }
}
