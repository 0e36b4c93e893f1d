import JSON
import Testing

@testable import Inference

/// Every answer is bounded: a tool call stops at the record's max tokens (at most 128K) with the
/// family's max-tokens stop reason, embeddings keep to their models' documented limits, errors list
/// at most a hundred violations, and no answer passes `Inference.outputBound`.
@Suite struct OutputBoundTests {
    static let cohereV4 = "cohere.embed-v4:0"

    /// The invoice schema of ToolCallTests: its call takes a few hundred bytes.
    static func claudeTool(maxTokens: String, schema: String = ToolCallTests.schema, name: String = "record_invoice") -> String {
        #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": \#(maxTokens), "messages": [{"role": "user", "content": "Go"}], "tools": [{"name": "\#(name)", "input_schema": \#(schema)}]}"#
    }

    @Test func claudeCutsAToolCallAtMaxTokens() {
        let output = Records.output(Records.record(Records.claude, Self.claudeTool(maxTokens: "20")))
        #expect(output["stop_reason"] == .string("max_tokens"))
        #expect(output[path: "usage", "output_tokens"]?.int == 20)
        // The block is there, cut short: what was generated of the input, closed as JSON, within 80 bytes.
        let block = output["content"]?.elements.first
        #expect(block?["type"] == .string("tool_use") && block?["name"] == .string("record_invoice"))
        let input = block?["input"] ?? .null
        #expect(input.members != nil && Records.compact(input).utf8.count <= 80)
        #expect(Records.keys(input).first == "invoice", "the first property, cut: \(Records.compact(input))")
    }

    @Test func everyToolFamilyCutsAtItsMaxTokens() throws {
        let toolConfig = #""toolConfig": {"tools": [{"toolSpec": {"name": "r", "inputSchema": {"json": \#(ToolCallTests.schema)}}}]}"#
        let converse = #"{"messages": [{"role": "user", "content": [{"text": "Go"}]}], "inferenceConfig": {"maxTokens": 20}, \#(toolConfig)}"#
        for (model, isConverse) in [(Records.llama, true), (Records.nova, false)] {
            let output = Records.output(Records.record(model, converse, converse: isConverse))
            #expect(output["stopReason"] == .string("max_tokens"))
            #expect(output[path: "usage", "outputTokens"]?.int == 20)
            let toolUse = output[path: "output", "message", "content"]?.elements.first?["toolUse"]
            #expect(Records.compact(toolUse?["input"] ?? .null).utf8.count <= 80)
        }
        let tools = #""tools": [{"type": "function", "function": {"name": "r", "parameters": \#(ToolCallTests.schema)}}]"#
        for (model, reasonKey) in [(Records.gptOSS, "finish_reason"), (Records.mistralChat, "stop_reason")] {
            let output = Records.output(Records.record(model, #"{"messages": [{"role": "user", "content": "Go"}], "max_tokens": 20, \#(tools)}"#))
            let choice = output["choices"]?.elements.first
            #expect(choice?[reasonKey] == .string("length"))
            // The arguments' text cut at 80 bytes: no longer JSON, as a real call cut short is.
            let arguments = choice?[path: "message", "tool_calls"]?.elements.first?[path: "function", "arguments"]?.text ?? ""
            #expect(arguments.utf8.count == 80)
            #expect((try? JSONParser.parse(arguments)) == nil)
        }
        // Without a max tokens the call is whole.
        let whole = Records.output(Records.record(Records.gptOSS, #"{"messages": [{"role": "user", "content": "Go"}], \#(tools)}"#))
        #expect(whole["choices"]?.elements.first?["finish_reason"] == .string("tool_calls"))
    }

    /// A schema whose call is longer than 128K tokens within the node budget: an object of 9,000
    /// required members of names and constants under 32 bytes (which spend a node each).
    static func wideCall(constant: String = #""abcdefghijklmnopqrstuvwxyz12""#) -> String {
        let names = (0..<9_000).map { "n\($0)" + String(repeating: "x", count: 24 - "\($0)".count) }
        let properties = names.map { #""\#($0)": {"const": \#(constant)}"# }.joined(separator: ", ")
        return #"{"type": "object", "properties": {\#(properties)}, "required": [\#(names.map { "\"\($0)\"" }.joined(separator: ", "))]}"#
    }

    static let enormousCall = wideCall()

    @Test func hugeMaxTokensStopAt128KTokens() {
        for maxTokens in ["1000000000", "9223372036854775807", "99999999999999999999999"] {
            let result = Inference.respond(to: Records.record(Records.claude, Self.claudeTool(maxTokens: maxTokens, schema: Self.enormousCall)))
            guard case .output(let output) = result.outcome else {
                Issue.record("no output for max_tokens \(maxTokens): \(result.outcome)")
                continue
            }
            #expect(output["stop_reason"] == .string("max_tokens"))
            #expect(result.outputTokens == 128_000 && output[path: "usage", "output_tokens"]?.int == 128_000)
            let input = output["content"]?.elements.first?["input"] ?? .null
            #expect(Records.compact(input).utf8.count <= 512_000)
        }
        // Without a max tokens (Converse's default is the model's maximum) the same holds.
        let converse =
            #"{"messages": [{"role": "user", "content": [{"text": "Go"}]}], "toolConfig": {"tools": [{"toolSpec": {"name": "r", "inputSchema": {"json": \#(Self.enormousCall)}}}]}}"#
        let output = Records.output(Records.record(Records.claude, converse, converse: true))
        #expect(output["stopReason"] == .string("max_tokens") && output[path: "usage", "outputTokens"]?.int == 128_000)
    }

    @Test func cohereEmbedV4KeepsToItsDocumentedLimits() {
        func input(_ extra: String, texts: Int = 1) -> String {
            let list = (0..<texts).map { "\"t\($0)\"" }.joined(separator: ",")
            return #"{"texts": [\#(list)], "input_type": "search_document"\#(extra)}"#
        }
        #expect(Records.errorMessage(Records.record(Self.cohereV4, input(#", "output_dimension": 100"#))).contains("#/output_dimension: 100 is not a valid enum value"))
        #expect(
            Records.errorMessage(Records.record(Self.cohereV4, input(#", "output_dimension": "512""#))).contains(
                "#/output_dimension: expected type: Integer, found: String"))
        #expect(Records.errorMessage(Records.record(Self.cohereV4, input("", texts: 97))).contains("#/texts: expected maximum item count: 96, found: 97"))
        let output = Records.output(Records.record(Self.cohereV4, input(#", "output_dimension": 512, "truncate": "LEFT""#)))
        #expect(output["embeddings"]?.elements.first?.elements.count == 512)
        // v3 knows no output_dimension (it passes, unread) and truncates START or END.
        #expect(Records.output(Records.record(Records.cohere, input(#", "output_dimension": 100"#)))["embeddings"]?.elements.first?.elements.count == 1024)
        #expect(Records.errorMessage(Records.record(Records.cohere, input(#", "truncate": "LEFT""#))).contains("#/truncate: LEFT is not a valid enum value"))
    }

    @Test func errorsListAHundredViolationsAtMost() {
        let messages = Array(repeating: "{}", count: 10_000).joined(separator: ",")
        let message = Records.errorMessage(Records.record(Records.claude, #"{"anthropic_version": "x", "max_tokens": 5, "messages": [\#(messages)]}"#))
        #expect(message.utf8.count < 10_000)
        #expect(message.hasSuffix("#/messages/49: required key [content] not found, please reformat your input and try again."))
    }

    /// The worst records of each family: the most output for the fewest input bytes.
    static let worstRecords: [(model: String, input: String, converse: Bool)] = {
        let escapes = String(repeating: #"\b"#, count: 500)
        let texts = (0..<96).map { _ in "\"\(escapes)\"" }.joined(separator: ",")
        let allTypes = #""embedding_types": ["float", "int8", "uint8", "binary", "ubinary"]"#
        // Constants of quotes: each is \" in the arguments' text and \\\" in the output.
        let quoted = wideCall(constant: #""\"\"\"\"\"\"\"\"\"\"\"\"\"\"""#)
        let openAITools = #""tools": [{"type": "function", "function": {"name": "\#(escapes)", "parameters": \#(quoted)}}]"#
        let badMessages = (0..<1_000).map { _ in #"{"role": "\#(escapes)"}"# }.joined(separator: ",")
        return [
            (cohereV4, #"{"texts": [\#(texts)], "input_type": "search_document", "output_dimension": 1536, \#(allTypes)}"#, false),
            (cohereV4, #"{"texts": [\#((0..<96).map { _ in "\"\"" }.joined(separator: ","))], "input_type": "clustering", \#(allTypes)}"#, false),
            (Records.cohere, #"{"texts": ["a"], "input_type": "search_query", \#(allTypes)}"#, false),
            (Records.titanEmbedV2, #"{"inputText": "", "dimensions": 1024, "embeddingTypes": ["float", "binary"]}"#, false),
            (Records.titanEmbedV1, #"{"inputText": ""}"#, false),
            (Records.claude, claudeTool(maxTokens: "1000000", schema: quoted, name: escapes), false),
            (Records.gptOSS, #"{"messages": [{"role": "user", "content": "Go"}], \#(openAITools)}"#, false),
            (Records.mistralText, #"{"messages": [{"role": "user", "content": "Go"}], \#(openAITools)}"#, false),
            (
                Records.llama,
                #"{"messages": [{"role": "user", "content": [{"text": "Go"}]}], "toolConfig": {"tools": [{"toolSpec": {"name": "\#(escapes)", "inputSchema": {"json": \#(quoted)}}}]}}"#,
                true
            ),
            (Records.claude, #"{"anthropic_version": "x", "max_tokens": 0, "messages": [\#(badMessages)]}"#, false),
            (Records.titanText, #"{"inputText": "Go"}"#, false),
            ("provisioned/unknown", #"{"prompt": "Go"}"#, false),
        ]
    }()

    @Test(arguments: 0..<worstRecords.count)
    func noAnswerPassesItsBound(index: Int) {
        let (model, input, converse) = Self.worstRecords[index]
        let record = Records.record(model, input, converse: converse)
        let result = Inference.respond(to: record)
        let written: Int
        switch result.outcome {
        case .output(let output): written = Records.compact(output).utf8.count
        case .error(let code, let message):
            written = Records.compact(.object([JSONMember("errorCode", .integer(Int64(code))), JSONMember("errorMessage", .string(message))])).utf8.count
        }
        let line = #"{"recordId": "rec-1", "modelInput": \#(input)}"#.utf8.count
        let bound = Inference.outputBound(modelId: model, invocationType: converse ? .converse : .invokeModel)
        #expect(written <= bound.bytes(forRecordBytes: line), "\(written) bytes for a line of \(line) (\(model))")
        #expect(written <= Inference.maxOutputBytes(forRecordBytes: line))
        // Not a loose bound everywhere: the worst Cohere record takes most of it.
        if index == 0 { #expect(written > bound.constant / 2) }
    }

    @Test func theBoundNeverTraps() {
        #expect(Inference.maxOutputBytes(forRecordBytes: .max) == .max)
        #expect(Inference.maxOutputBytes(forRecordBytes: -5) == Inference.outputBound.constant)
        // The numbers of docs/model-outputs.md, "Output bounds".
        #expect(Inference.outputBound == OutputBound(perInputByte: 3, constant: 3_270_400))
        let constants = [
            (Records.titanText, 17_408), (Records.claude, 516_816), (Records.gptOSS, 1_028_818), (Records.titanEmbedV1, 22_592),
            (Records.titanEmbedV2, 30_912), (Records.cohere, 3_268_352),
        ]
        for (model, constant) in constants {
            #expect(Inference.outputBound(modelId: model, invocationType: .invokeModel).constant == constant + model.utf8.count, "\(model)")
        }
    }
}

/// The prefixes a cut tool call keeps, and the sampler's count of its output's bytes.
@Suite struct JSONPrefixTests {
    @Test func aCutValueIsAPrefixWithinTheLimit() throws {
        let value = Records.parse(#"{"a": [1, "tw\"o\n", {"b": null, "c": true}], "d": "é😀x", "": {}}"#)
        let size = Records.compact(value).utf8.count
        #expect(JSONPrefix.size(of: value) == size)
        var previous = ""
        for limit in 0...(size + 2) {
            let (cut, complete) = JSONPrefix.cut(value, toBytes: limit)
            let text = Records.compact(cut)
            #expect(text.utf8.count <= max(limit, 2), "\(text) for \(limit)")
            #expect(complete == (limit >= size))
            #expect(try JSONParser.parse(text) == cut)
            // Each longer limit keeps at least as much (compared as texts without the closing brackets).
            let open = text.trimmingSuffix { "]}\"".contains($0) }
            #expect(open.hasPrefix(previous.trimmingSuffix { "]}\"".contains($0) }) || limit == 0, "\(previous) then \(text)")
            previous = text
        }
    }

    @Test(arguments: [
        ToolCallTests.schema, OutputBoundTests.enormousCall, #"{"type": "array", "minItems": 9, "items": {"type": "string", "minLength": 4000}}"#,
        ##"{"type": "object", "properties": {"me": {"$ref": "#"}, "e": {"enum": [{"a": "\"\n"}]}}, "required": ["me", "e"], "minProperties": 5}"##,
        ##"{"allOf": [{"$ref": "#"}, {"properties": {"a": {"type": ["null", "number"], "minimum": 1e300}}}], "anyOf": [{"const": null}]}"##,
        SchemaCostTests.fanOut(leaf: #"{"oneOf": [{"type": "boolean"}, {"type": "string"}], "format": "uuid"}"#),
    ])
    func theSamplerCountsItsBytesExactly(schema: String) {
        var generator = SeededGenerator(seed: 3)
        for limit in [10, 1_000, 100_000, Tokens.maxOutputBytes] {
            let sample = SchemaSampler.sample(Records.parse(schema), generator: &generator, byteLimit: limit)
            #expect(sample.bytes == Records.compact(sample.value).utf8.count)
            // It stops only past the limit (and then the call is cut to it).
            #expect(!sample.hitByteLimit || sample.bytes > limit)
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
