import Fixtures
import Testing
import JSON

@Suite struct JSONParserTests {
    @Test func keepsMemberOrderAndNumberLiterals() throws {
        // given
        let text = #"{"b": 1, "a": [true, false, null], "c": -0.5e3, "d": 9223372036854775807}"#
        // when
        let value = try JSONParser.parse(text)
        // then
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "c", "d"])
        #expect(value["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(value["c"] == .number("-0.5e3"))
        #expect(value["d"]?.int64Value == Int64.max)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\n\té😀"))
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, "expected a member name in double quotes", 1, 9),
        (#"{"a": 1, "a": 2}"#, "duplicate member name \"a\"", 1, 10),
        ("[01]", "leading zeros are not allowed in a number", 1, 3),
        ("{\n  \"a\": tru\n}", "invalid literal, expected true", 2, 8),
        ("\"abc", "unterminated string", 1, 5),
        ("\"a\u{01}\"", "control character 0x1 in a string must be escaped", 1, 3),
        (#""\ud800""#, "unpaired UTF-16 surrogate in \\u escape", 1, 8),
        ("[1] [2]", "unexpected text after the JSON value", 1, 5),
        ("", "unexpected end of input, expected a value", 1, 1),
    ])
    func reportsSyntaxErrorsWithLineAndColumn(text: String, message: String, line: Int, column: Int) {
        #expect(throws: JSONSyntaxError(message: message, line: line, column: column)) {
            try JSONParser.parse(text)
        }
    }

    @Test func streamsTheElementsOfATopLevelArrayMember() throws {
        // given
        var seen: [(JSONValue, Int)] = []
        // when
        let document = try JSONParser.parse(Array(#"{"a": 1, "jobs": [{"jobs": [7]}, 2], "b": [3]}"#.utf8), streaming: "jobs") { seen.append(($0, $1)) }
        // then: only the top-level member is streamed, in order, and left empty in the result
        #expect(seen.map(\.1) == [0, 1])
        #expect(seen.map(\.0) == [.object([JSONMember("jobs", .array([.number("7")]))]), .number("2")])
        #expect(document == .object([JSONMember("a", .number("1")), JSONMember("jobs", .array([])), JSONMember("b", .array([.number("3")]))]))
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(#"{"jobs": [1,]}"#.utf8), streaming: "jobs") { _, _ in } }
    }

    @Test func limitsNestingDepth() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        #expect(throws: Never.self) { try JSONParser.parse(deep, maxDepth: 65) }
    }

    @Test func writerRoundTripsAndEscapes() throws {
        // given
        let value = try JSONParser.parse(#"{"k": ["x\"y\\z\n\u0001", 12, 1.5, true, null, {}], "e": []}"#)
        // when
        var writer = JSONWriter()
        writer.write(value)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        // then
        #expect(text == #"{"k":["x\"y\\z\n\u0001",12,1.5,true,null,{}],"e":[]}"#)
        #expect(try JSONParser.parse(writer.bytes) == value)
    }

    /// Duplicate names are found in large objects too, in linear time (a set past a few members).
    @Test func findsDuplicatesInLargeObjectsInLinearTime() throws {
        let members = (0..<131_072).map { "\"k\($0)\":0" }
        let clock = ContinuousClock()
        let started = clock.now
        let parsed = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        #expect(clock.now - started < .seconds(10))  // 43 s with the scan it replaced, about 0.1 s now
        if case .object(let all) = parsed { #expect(all.count == 131_072) } else { Issue.record("not an object") }
        for duplicate in ["k0", "k15", "k16", "k17", "k131071"] {
            let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("{" + members.joined(separator: ",") + ",\"\(duplicate)\":1}") }
            #expect(error?.message == "duplicate member name \"\(duplicate)\"")
        }
        let small = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#) }
        #expect(small?.message == "duplicate member name \"a\"")
    }
}
