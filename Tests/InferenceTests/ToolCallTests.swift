import Inference
import JSON
import Testing

/// Tool calls in each family's shape, with arguments valid against the tool's schema.
@Suite struct ToolCallTests {
    /// A schema with the keywords pipelines use: nesting, $ref to both definition sections, enum,
    /// const, required, formats, bounds, arrays with bounds, anyOf, allOf, type lists.
    static let schema = """
        {"type": "object", "additionalProperties": false,
         "required": ["invoice", "status", "lines", "issued", "contact"],
         "properties": {
           "invoice": {"type": "string", "minLength": 12, "maxLength": 20},
           "status": {"enum": ["paid", "open", "void"]},
           "kind": {"const": "invoice"},
           "issued": {"type": "string", "format": "date"},
           "updated": {"type": "string", "format": "date-time"},
           "contact": {"$ref": "#/$defs/contact"},
           "lines": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"$ref": "#/definitions/line"}},
           "total": {"type": "number", "minimum": 0, "exclusiveMaximum": 1000, "multipleOf": 0.01},
           "discount": {"type": ["null", "integer"], "minimum": 5, "maximum": 7},
           "note": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
           "meta": {"allOf": [{"type": "object", "properties": {"a": {"type": "boolean"}}, "required": ["a"]},
                              {"properties": {"b": {"type": "integer", "exclusiveMinimum": 10}}, "required": ["b"]}]}
         },
         "$defs": {"contact": {"type": "object", "required": ["email", "site", "id"], "additionalProperties": false,
                               "properties": {"email": {"type": "string", "format": "email"}, "site": {"type": "string", "format": "uri"},
                                              "id": {"type": "string", "format": "uuid"}}}},
         "definitions": {"line": {"type": "object", "required": ["sku", "quantity"],
                                  "properties": {"sku": {"type": "string", "pattern": "^[A-Z]+$"}, "quantity": {"type": "integer", "minimum": 1, "maximum": 9}}}}
        }
        """

    static func expectValid(_ value: JSONValue?, against schemaText: String = schema, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let value else {
            Issue.record("no arguments", sourceLocation: sourceLocation)
            return
        }
        let errors = SchemaValidator(root: Records.parse(schemaText)).errors(of: value)
        #expect(errors.isEmpty, "\(errors) in \(Records.compact(value))", sourceLocation: sourceLocation)
    }

    @Test func anthropicToolUse() {
        let input = """
            {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 4096, "messages": [{"role": "user", "content": "Extract."}],
             "tools": [{"name": "other", "description": "x", "input_schema": {"type": "object"}},
                       {"name": "record_invoice", "description": "Record it", "input_schema": \(Self.schema)}],
             "tool_choice": {"type": "tool", "name": "record_invoice"}}
            """
        let record = Records.record(Records.claude, input)
        let output = Records.output(record)
        #expect(output["stop_reason"] == .string("tool_use"))
        let block = output["content"]?.elements.first
        #expect(Records.keys(block) == ["type", "id", "name", "input"])
        #expect(block?["type"] == .string("tool_use") && block?["name"] == .string("record_invoice"))
        let id = block?["id"]?.text ?? ""
        #expect(id.hasPrefix("toolu_bdrk_01") && id.count == "toolu_bdrk_".count + 24)
        Self.expectValid(block?["input"])
        // Within max_tokens: the call is whole, and its JSON counts as the output.
        let result = Inference.respond(to: record)
        #expect(result.outputTokens == Records.tokens(Records.compact(block?["input"] ?? .null)))
        #expect(output[path: "usage", "output_tokens"]?.int == result.outputTokens)
    }

    @Test func converseAndNovaToolUse() {
        let toolConfig = #""toolConfig": {"tools": [{"toolSpec": {"name": "record_invoice", "inputSchema": {"json": \#(Self.schema)}}}], "toolChoice": {"any": {}}}"#
        let messages = #""messages": [{"role": "user", "content": [{"text": "Extract."}]}]"#
        for (model, converse) in [(Records.llama, true), (Records.nova, false)] {
            let output = Records.output(Records.record(model, "{\(messages), \(toolConfig)}", converse: converse))
            #expect(output["stopReason"] == .string("tool_use"))
            let toolUse = output[path: "output", "message", "content"]?.elements.first?["toolUse"]
            #expect(Records.keys(toolUse) == ["toolUseId", "name", "input"])
            let toolUseId = toolUse?["toolUseId"]?.text ?? ""
            #expect(toolUseId.hasPrefix("tooluse_") && toolUseId.count == "tooluse_".count + 22)
            Self.expectValid(toolUse?["input"])
        }
    }

    @Test func openAIAndMistralToolCalls() throws {
        let tools = #""tools": [{"type": "function", "function": {"name": "record_invoice", "description": "d", "parameters": \#(Self.schema)}}]"#
        let messages = #""messages": [{"role": "user", "content": "Extract."}]"#
        for (model, reasonKey) in [(Records.gptOSS, "finish_reason"), (Records.mistralChat, "stop_reason")] {
            let output = Records.output(Records.record(model, "{\(messages), \(tools), \"tool_choice\": \"auto\"}"))
            let choice = output["choices"]?.elements.first
            #expect(choice?[reasonKey] == .string("tool_calls"))
            let call = choice?[path: "message", "tool_calls"]?.elements.first
            #expect(Records.keys(call) == ["id", "type", "function"] && call?["type"] == .string("function"))
            #expect(call?[path: "function", "name"] == .string("record_invoice"))
            let arguments = try JSONParser.parse(call?[path: "function", "arguments"]?.text ?? "")
            Self.expectValid(arguments)
        }
    }

    @Test func choosingTheTool() {
        let tools =
            #"[{"name": "first", "input_schema": {"type": "object", "properties": {"a": {"const": 1}}, "required": ["a"]}}, {"name": "second", "input_schema": {"type": "object"}}]"#
        func answer(_ extra: String, last: String = #"{"role": "user", "content": "Go"}"#) -> JSONValue? {
            let input = #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [\#(last)], "tools": \#(tools)\#(extra)}"#
            return Records.output(Records.record(Records.claude, input))["content"]?.elements.first
        }
        #expect(answer("")?["name"] == .string("first"), "auto still calls the first tool")
        #expect(answer("")?["input"] == .object([JSONMember("a", .number("1"))]))
        #expect(answer(#", "tool_choice": {"type": "any"}"#)?["name"] == .string("first"))
        #expect(answer(#", "tool_choice": {"type": "tool", "name": "second"}"#)?["name"] == .string("second"))
        #expect(answer(#", "tool_choice": {"type": "none"}"#)?["type"] == .string("text"))
        let toolResult = #"{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "72F"}]}"#
        #expect(answer("", last: toolResult)?["type"] == .string("text"), "a tool result is answered in text")
        #expect(answer(#", "tool_choice": {"type": "any"}"#, last: toolResult)?["type"] == .string("tool_use"))
    }

    @Test func namedToolsInConverseAndOpenAI() {
        let schemas = #"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 3, "maximum": 3}}, "required": ["n"]}"#
        let converse = """
            {"messages": [{"role": "user", "content": [{"text": "Go"}]}], "toolConfig": {"tools": [
             {"toolSpec": {"name": "a", "inputSchema": {"json": {}}}}, {"toolSpec": {"name": "b", "inputSchema": {"json": \(schemas)}}}],
             "toolChoice": {"tool": {"name": "b"}}}}
            """
        let toolUse = Records.output(Records.record(Records.claude, converse, converse: true))[path: "output", "message", "content"]?.elements.first?["toolUse"]
        #expect(toolUse?["name"] == .string("b") && toolUse?["input"] == .object([JSONMember("n", .number("3"))]))
        let openAI = """
            {"messages": [{"role": "user", "content": "Go"}], "tools": [{"type": "function", "function": {"name": "a", "parameters": {}}},
             {"type": "function", "function": {"name": "b", "parameters": \(schemas)}}], "tool_choice": {"type": "function", "function": {"name": "b"}}}
            """
        let call = Records.output(Records.record(Records.gptOSS, openAI))["choices"]?.elements.first?[path: "message", "tool_calls"]?.elements.first
        #expect(call?[path: "function", "name"] == .string("b") && call?[path: "function", "arguments"] == .string(#"{"n":3}"#))
        // A tool result as the last turn is answered in text under "auto".
        let answered = """
            {"messages": [{"role": "user", "content": "Go"}, {"role": "tool", "tool_call_id": "x", "content": "done"}],
             "tools": [{"type": "function", "function": {"name": "a", "parameters": {}}}]}
            """
        #expect(Records.output(Records.record(Records.gptOSS, answered))["choices"]?.elements.first?["finish_reason"] == .string("stop"))
    }

    @Test func openAIChoiceNone() {
        let input = #"{"messages": [{"role": "user", "content": "Go"}], "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}], "tool_choice": "none"}"#
        let choice = Records.output(Records.record(Records.gptOSS, input))["choices"]?.elements.first
        #expect(choice?["finish_reason"] == .string("stop") && choice?[path: "message", "tool_calls"] == nil)
    }

    @Test(arguments: [
        #"{"type": "object", "properties": {"tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 3, "uniqueItems": true}}, "required": ["tags"]}"#,
        #"{"type": "object", "properties": {"n": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2}}, "required": ["n"]}"#,
        #"{"type": "object", "properties": {"n": {"type": "number", "minimum": 1.5, "maximum": 1.5}}, "required": ["n"]}"#,
        #"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 10, "exclusiveMinimum": true}}, "required": ["n"]}"#,
        #"{"type": "object", "properties": {"n": {"type": "integer", "multipleOf": 7, "minimum": 50}}, "required": ["n"]}"#,
        #"{"type": "object", "properties": {"s": {"type": "string", "minLength": 300}}, "required": ["s"]}"#,
        #"{"type": "object", "properties": {"pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "boolean"}], "minItems": 2}}, "required": ["pair"]}"#,
        #"{"type": "object", "properties": {"x": {"oneOf": [{"type": "object", "properties": {"k": {"const": "v"}}, "required": ["k"]}, {"type": "string"}]}}, "required": ["x"]}"#,
        #"{"type": "object", "minProperties": 3, "properties": {"a": {"type": "string"}}}"#,
        #"{"type": "object", "required": ["free"], "additionalProperties": {"type": "integer"}}"#,
        ##"{"$ref": "#/$defs/root", "$defs": {"root": {"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/root"}}}, "required": ["name"]}}}"##,
        #"{"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}, "id": {"type": "string", "format": "uuid", "maxLength": 36}}, "required": ["when", "id"]}"#,
        "{}",
    ])
    func argumentsHoldTheSchema(schema: String) {
        let input =
            #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 4096, "messages": [{"role": "user", "content": "Go"}], "tools": [{"name": "t", "input_schema": \#(schema)}]}"#
        let block = Records.output(Records.record(Records.claude, input))["content"]?.elements.first
        #expect(block?["type"] == .string("tool_use"))
        Self.expectValid(block?["input"], against: schema)
    }
}
