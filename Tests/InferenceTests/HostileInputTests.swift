import JSON
import Testing

@testable import Inference

/// Schemas and inputs built to make a generator loop, recurse or multiply: each answer costs work
/// linear in the schema (counted, not timed: `SchemaSampler.sampleCountingWork`) and stays small.
@Suite struct HostileInputTests {
    /// A Claude record offering one tool with `schema`.
    static func record(schema: JSONValue, input: JSONValue = .null) -> InferenceRecord {
        let tool: JSONValue = .object([JSONMember("name", .string("t")), JSONMember("input_schema", schema)])
        let modelInput: JSONValue = .object([
            JSONMember("anthropic_version", .string("bedrock-2023-05-31")), JSONMember("max_tokens", .number("10")),
            JSONMember("messages", .array([.object([JSONMember("role", .string("user")), JSONMember("content", .string("Go"))])])),
            JSONMember("tools", .array([tool])), JSONMember("extra", input),
        ])
        return InferenceRecord(recordId: "r", modelId: Records.claude, invocationType: .invokeModel, modelInput: modelInput, override: nil)
    }

    /// Answers `record` with an output under 2 MB of JSON, its tool schema sampled in work linear in
    /// the schema's size (`SchemaCostTests.allowance`).
    static func expectQuickAndSmall(_ record: InferenceRecord, sourceLocation: SourceLocation = #_sourceLocation) {
        let schema = record.modelInput["tools"]?.elements.first?["input_schema"] ?? .null
        var generator = SeededGenerator(seed: 1)
        let work = SchemaSampler.sampleCountingWork(schema, generator: &generator).work
        let allowance = SchemaCostTests.allowance(Records.compact(schema).utf8.count)
        #expect(work <= allowance, "work \(work), allowed \(allowance)", sourceLocation: sourceLocation)
        guard case .output(let output) = Inference.respond(to: record).outcome else {
            Issue.record("no output", sourceLocation: sourceLocation)
            return
        }
        #expect(Records.compact(output).utf8.count < 2_000_000, sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}"##,
        ##"{"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}"##,
        ##"{"type": "object", "properties": {"me": {"$ref": "#"}}, "required": ["me"]}"##,
        ##"{"allOf": [{"$ref": "#"}], "anyOf": [{"$ref": "#"}]}"##,
        #"{"type": "array", "minItems": 1000000000, "items": {"type": "array", "minItems": 1000000000, "items": {"type": "string", "minLength": 1000000000000}}}"#,
        #"{"type": "object", "properties": {"n": {"type": "number", "minimum": -1e308, "maximum": 1e308}, "i": {"type": "integer", "minimum": 1e300}, "m": {"type": "integer", "multipleOf": 1e-300}}}"#,
        ##"{"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/nowhere"}, "b": {"$ref": "http://example.com/schema"}}}"##,
        #"{"type": "string", "maxLength": -5, "minLength": 10}"#,
        #"{"type": "object", "minProperties": 999999999999}"#,
    ])
    func hostileSchemasTerminate(schema: String) {
        Self.expectQuickAndSmall(Self.record(schema: Records.parse(schema)))
    }

    @Test func deepNestingTerminates() {
        // 64 levels and far beyond (built in memory, past the parser's depth limit), every level required.
        for depth in [64, 500] {
            var schema: JSONValue = .object([JSONMember("type", .string("string"))])
            for _ in 0..<depth {
                schema = .object([
                    JSONMember("type", .string("object")), JSONMember("properties", .object([JSONMember("p", schema)])),
                    JSONMember("required", .array([.string("p")])),
                ])
            }
            Self.expectQuickAndSmall(Self.record(schema: schema))
        }
    }

    @Test func exponentialReferencesAreCapped() {
        // d0 holds two d1, d1 two d2, ... 2^40 leaves if nothing stopped it.
        var definitions: [JSONMember] = []
        for level in 0..<40 {
            let child: JSONValue = .object([JSONMember("$ref", .string("#/$defs/d\(level + 1)"))])
            definitions.append(
                JSONMember(
                    "d\(level)",
                    .object([
                        JSONMember("type", .string("object")), JSONMember("properties", .object([JSONMember("a", child), JSONMember("b", child)])),
                        JSONMember("required", .array([.string("a"), .string("b")])),
                    ])))
        }
        definitions.append(JSONMember("d40", .object([JSONMember("type", .string("integer"))])))
        let schema: JSONValue = .object([JSONMember("$ref", .string("#/$defs/d0")), JSONMember("$defs", .object(definitions))])
        Self.expectQuickAndSmall(Self.record(schema: schema))
    }

    @Test func wideSchemasStayLinear() {
        let properties = (0..<20_000).map { JSONMember("p\($0)", .object([JSONMember("type", .string("integer"))])) }
        let schema: JSONValue = .object([
            JSONMember("type", .string("object")), JSONMember("properties", .object(properties)),
            JSONMember("required", .array((0..<20_000).map { .string("p\($0)") })),
        ])
        Self.expectQuickAndSmall(Self.record(schema: schema))
    }

    @Test func deepInputIsHashedAndCountedWithinBounds() {
        var deep: JSONValue = .string("bottom")
        for _ in 0..<3_000 { deep = .array([deep]) }
        let record = Self.record(schema: .object([]), input: deep)
        Self.expectQuickAndSmall(record)
        #expect(Inference.respond(to: record) == Inference.respond(to: record))
        // The deep input is beyond the hash's depth: only its first 64 levels tell records apart.
        let validation = Inference.respond(to: Records.record(Records.claude, "[[[[[[[[[[1]]]]]]]]]]"))
        #expect(validation.inputTokens == 0)
    }
}
