import Foundation
import MooringModelChecks
import Testing

@Suite("Assertions")
struct AssertionTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var kind: Assertion.Kind
        var got: String
        /// nil: the assertion holds; else the failure message.
        var failure: String?
        var testDescription: String { label }
    }

    static let rows: [Row] = [
        Row(label: "equals number", kind: .equals(.number(0)), got: "0", failure: nil),
        Row(label: "equals number written as a float", kind: .equals(.number(0)), got: "0.0", failure: nil),
        Row(label: "equals wrong class", kind: .equals(.number(0)), got: "2", failure: "$.v expected 0, got 2"),
        Row(label: "equals string", kind: .equals(.string("setosa")), got: "\"setosa\"", failure: nil),
        Row(label: "equals: a string is not a number", kind: .equals(.number(1)), got: "\"1\"", failure: "$.v expected 1, got \"1\""),
        Row(label: "equals: true is not 1", kind: .equals(.number(1)), got: "true", failure: "$.v expected 1, got true"),
        Row(label: "equals array", kind: .equals(.array([.number(1), .number(2)])), got: "[1,2]", failure: nil),
        Row(label: "oneOf hit", kind: .oneOf([.number(1), .number(2)]), got: "2", failure: nil),
        Row(label: "oneOf miss", kind: .oneOf([.number(1), .number(2)]), got: "0", failure: "$.v expected one of [1,2], got 0"),
        Row(label: "approx absolute inside", kind: .approx(.number(0.5), absolute: 0.01, relative: nil), got: "0.509", failure: nil),
        Row(label: "approx absolute at the edge", kind: .approx(.number(0.5), absolute: 0.25, relative: nil), got: "0.75", failure: nil),
        Row(label: "approx absolute outside", kind: .approx(.number(0.5), absolute: 0.01, relative: nil), got: "0.52", failure: "$.v expected 0.5 ±0.01, got 0.52"),
        Row(label: "approx relative inside", kind: .approx(.number(200), absolute: nil, relative: 0.05), got: "209", failure: nil),
        Row(label: "approx relative outside", kind: .approx(.number(200), absolute: nil, relative: 0.05), got: "211", failure: "$.v expected 200 ±5%, got 211"),
        Row(label: "approx either tolerance is enough", kind: .approx(.number(0), absolute: 0.1, relative: 0.5), got: "0.05", failure: nil),
        Row(label: "approx without tolerance is exact", kind: .approx(.number(1), absolute: nil, relative: nil), got: "1.0001", failure: "$.v expected 1, got 1.0001"),
        Row(label: "approx arrays element by element", kind: .approx(.array([.number(0.1), .number(0.9)]), absolute: 0.05, relative: nil), got: "[0.12,0.88]", failure: nil),
        Row(label: "approx arrays one element off", kind: .approx(.array([.number(0.1), .number(0.9)]), absolute: 0.05, relative: nil), got: "[0.12,0.7]", failure: "$.v expected [0.1,0.9] ±0.05, got [0.12,0.7]"),
        Row(label: "approx arrays of other length", kind: .approx(.array([.number(0.1)]), absolute: 1, relative: nil), got: "[0.1,0.2]", failure: "$.v expected [0.1] ±1, got [0.1,0.2]"),
        Row(label: "approx on a string", kind: .approx(.number(1), absolute: 1, relative: nil), got: "\"1\"", failure: "$.v expected 1 ±1, got \"1\""),
        Row(label: "matches", kind: .matches("(?i)paris"), got: "\"The capital is Paris.\"", failure: nil),
        Row(label: "matches anchored", kind: .matches("^Paris$"), got: "\"The capital is Paris.\"", failure: "$.v expected a string matching /^Paris$/, got \"The capital is Paris.\""),
        Row(label: "matches a number", kind: .matches("1"), got: "1", failure: "$.v expected a string matching /1/, got 1"),
    ]

    @Test("each kind, with its tolerances", arguments: rows)
    func assertion(_ row: Row) throws {
        let answer = try JSONValue.parse(Data("{\"v\":\(row.got)}".utf8))
        let assertion = Assertion(path: try JSONPath("$.v"), kind: row.kind)
        #expect(assertion.failure(in: answer) == row.failure)
    }

    @Test("a missing value names the path and why")
    func missing() throws {
        let answer = try JSONValue.parse(Data(#"{"outputs":[]}"#.utf8))
        let assertion = Assertion(path: try JSONPath("$.outputs[0].data[0]"), kind: .equals(.number(0)))
        #expect(assertion.failure(in: answer) == "$.outputs[0].data[0] expected 0, got nothing: $.outputs[0] is out of range: the array has 0 elements")
    }

    @Test("long values are truncated in messages")
    func truncation() throws {
        let long = String(repeating: "x", count: 300)
        let answer = JSONValue.object(["v": .string(long)])
        let assertion = Assertion(path: try JSONPath("$.v"), kind: .equals(.string("y")))
        let message = try #require(assertion.failure(in: answer))
        #expect(message.hasSuffix("…"))
        #expect(message.count < 120)
    }

    @Test("bad regular expressions are named")
    func badRegex() {
        #expect(Assertion.regexProblem("(unclosed") != nil)
        #expect(Assertion.regexProblem("^ok$") == nil)
    }
}
