import Inference
import JSON
import Testing

/// Same record, same bytes; the token rule; max-token truncation; the usage blocks agree with the result.
@Suite struct TokenAndDeterminismTests {
    static let claudeInput =
        #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1000, "system": "Be brief.", "messages": [{"role": "user", "content": "Summarise the report."}]}"#

    /// One valid record a family (or job kind), the max-tokens member of its input, the stop reason
    /// it gives when that cuts the text, and where its usage block keeps the two counts.
    struct Case: Sendable, CustomTestStringConvertible {
        var model: String
        var input: String
        var converse = false
        var lengthReason: String
        var reason: @Sendable (JSONValue) -> JSONValue?
        var counts: @Sendable (JSONValue) -> (Int64?, Int64?)
        var testDescription: String { model + (converse ? " (Converse)" : "") }
    }

    static let cases: [Case] = [
        Case(
            model: Records.claude, input: #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": MAX, "messages": [{"role": "user", "content": "Hi"}]}"#,
            lengthReason: "max_tokens", reason: { $0["stop_reason"] }, counts: { ($0[path: "usage", "input_tokens"]?.int, $0[path: "usage", "output_tokens"]?.int) }),
        Case(
            model: Records.nova, input: #"{"messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": MAX}}"#,
            lengthReason: "max_tokens", reason: { $0["stopReason"] }, counts: { ($0[path: "usage", "inputTokens"]?.int, $0[path: "usage", "outputTokens"]?.int) }),
        Case(
            model: Records.llama, input: #"{"messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": MAX}}"#, converse: true,
            lengthReason: "max_tokens", reason: { $0["stopReason"] }, counts: { ($0[path: "usage", "inputTokens"]?.int, $0[path: "usage", "outputTokens"]?.int) }),
        Case(
            model: Records.titanText, input: #"{"inputText": "Hi", "textGenerationConfig": {"maxTokenCount": MAX}}"#,
            lengthReason: "LENGTH", reason: { $0["results"]?.elements.first?["completionReason"] },
            counts: { ($0["inputTextTokenCount"]?.int, $0["results"]?.elements.first?["tokenCount"]?.int) }),
        Case(
            model: Records.llama, input: #"{"prompt": "Hi", "max_gen_len": MAX}"#,
            lengthReason: "length", reason: { $0["stop_reason"] }, counts: { ($0["prompt_token_count"]?.int, $0["generation_token_count"]?.int) }),
        Case(
            model: Records.gptOSS, input: #"{"messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": MAX}"#,
            lengthReason: "length", reason: { $0["choices"]?.elements.first?["finish_reason"] },
            counts: { ($0[path: "usage", "prompt_tokens"]?.int, $0[path: "usage", "completion_tokens"]?.int) }),
        Case(
            model: "x.unknown-model", input: #"{"prompt": "Hi", "max_tokens": MAX}"#,
            lengthReason: "max_tokens", reason: { $0["stopReason"] }, counts: { ($0[path: "usage", "inputTokens"]?.int, $0[path: "usage", "outputTokens"]?.int) }),
    ]

    /// Families whose body has no usage block: only the stop reason is checked.
    static let reasonOnlyCases: [(String, String, String, @Sendable (JSONValue) -> JSONValue?)] = [
        (Records.mistralText, #"{"prompt": "Hi", "max_tokens": MAX}"#, "length", { $0["outputs"]?.elements.first?["stop_reason"] }),
        (Records.mistralChat, #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": MAX}"#, "length", { $0["choices"]?.elements.first?["stop_reason"] }),
        ("deepseek.r1-v1:0", #"{"prompt": "Hi", "max_tokens": MAX}"#, "length", { $0["choices"]?.elements.first?["stop_reason"] }),
    ]

    @Test(arguments: cases)
    func usageAgreesWithTheResult(_ test: Case) {
        for limit in ["5", "100000"] {
            let record = Records.record(test.model, test.input.replacing("MAX", with: limit), converse: test.converse)
            let result = Inference.respond(to: record)
            let output = Records.output(record)
            let (input, generated) = test.counts(output)
            #expect(input == result.inputTokens && generated == result.outputTokens)
            #expect(result.inputTokens == 1, "\"Hi\" is one token")
            if limit == "5" {
                #expect(test.reason(output) == .string(test.lengthReason))
                #expect(result.outputTokens == 5)
            } else {
                #expect(test.reason(output) != .string(test.lengthReason))
                #expect(result.outputTokens >= 30)
            }
        }
    }

    @Test func truncationInFamiliesWithoutUsage() {
        for (model, input, reason, read) in Self.reasonOnlyCases {
            let output = Records.output(Records.record(model, input.replacing("MAX", with: "3")))
            #expect(read(output) == .string(reason), "\(model)")
            #expect(Inference.respond(to: Records.record(model, input.replacing("MAX", with: "3"))).outputTokens == 3)
        }
    }

    @Test func theTokenRuleByHand() {
        let record = Records.record(Records.claude, Self.claudeInput)
        let result = Inference.respond(to: record)
        // "Be brief." + "\n" + "Summarise the report." = 31 bytes: 8 tokens.
        #expect(result.inputTokens == 8)
        let text = Records.output(record)["content"]?.elements.first?["text"]?.text ?? ""
        #expect(result.outputTokens == Records.tokens(text) && !text.isEmpty)
        #expect(text.utf8.allSatisfy { $0 < 0x80 } && text.hasSuffix("."))
    }

    @Test func toolDefinitionsCountAsInput() {
        let tools = #"[{"name":"get_weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"#
        let input = #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "messages": [{"role": "user", "content": "Weather in Paris?"}], "tools": \#(tools)}"#
        let result = Inference.respond(to: Records.record(Records.claude, input))
        #expect(result.inputTokens == Int64(("Weather in Paris?".utf8.count + tools.utf8.count + 3) / 4))
    }

    @Test func sameRecordSameBytes() {
        let first = Records.compact(Records.output(Records.record(Records.claude, Self.claudeInput)))
        let again = Records.compact(Records.output(Records.record(Records.claude, Self.claudeInput)))
        #expect(first == again)
        // White space is not part of the input; the record id and the input's content are.
        let spaced = Self.claudeInput.replacing(", ", with: " ,  ")
        #expect(Records.compact(Records.output(Records.record(Records.claude, spaced))) == first)
        #expect(Records.compact(Records.output(Records.record(Records.claude, Self.claudeInput, recordId: "rec-2"))) != first)
        let other = Self.claudeInput.replacing("report", with: "memo")
        #expect(Records.compact(Records.output(Records.record(Records.claude, other))) != first)
    }

    @Test func embeddingsDependOnTheTextOnly() {
        let first = Records.output(Records.record(Records.titanEmbedV2, #"{"inputText": "same text"}"#, recordId: "a"))
        let second = Records.output(Records.record("us." + Records.titanEmbedV2, #"{"inputText": "same text"}"#, recordId: "b"))
        #expect(first == second)
        let third = Records.output(Records.record(Records.titanEmbedV2, #"{"inputText": "other text"}"#))
        #expect(first["embedding"] != third["embedding"])
        #expect(Inference.respond(to: Records.record(Records.titanEmbedV2, #"{"inputText": "same text"}"#)).outputTokens == 0)
    }

    @Test func promptTextForRules() {
        let anthropic = Records.parse(Self.claudeInput)
        #expect(Inference.prompt(of: anthropic, family: .anthropicClaude, invocationType: .invokeModel) == "Be brief.\nSummarise the report.")
        let converse = Records.parse(
            #"{"system": [{"text": "S"}], "messages": [{"role": "user", "content": [{"text": "A"}, {"image": {}}]}, {"role": "assistant", "content": [{"text": "B"}]}, {"role": "user", "content": [{"toolResult": {"toolUseId": "t", "content": [{"text": "C"}]}}]}]}"#
        )
        #expect(Inference.prompt(of: converse, family: .metaLlama, invocationType: .converse) == "S\nA\nB\nC")
        let cohere = Records.parse(#"{"texts": ["x", "y"], "input_type": "search_query"}"#)
        #expect(Inference.prompt(of: cohere, family: .cohereEmbed, invocationType: .invokeModel) == "x\ny")
        let toolResult = Records.parse(
            #"{"messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "42"}]}]}]}"#)
        #expect(Inference.prompt(of: toolResult, family: .anthropicClaude, invocationType: .invokeModel) == "42")
    }

    @Test func textOverrideUsesTheRule() {
        let override = ResponseOverride.text("Exactly this answer, uncut.")
        let input = Self.claudeInput.replacing("1000", with: "1")
        let record = Records.record(Records.claude, input, override: override)
        let output = Records.output(record)
        #expect(output["content"]?.elements.first?["text"] == .string("Exactly this answer, uncut."))
        #expect(output["stop_reason"] == .string("end_turn"))
        #expect(Inference.respond(to: record).outputTokens == 7)
        #expect(output[path: "usage", "output_tokens"]?.int == 7)
    }

    @Test func modelOutputOverrideIsVerbatim() {
        let written = Records.parse(#"{"whatever": true, "usage": {"input_tokens": 11, "output_tokens": 22}}"#)
        let record = Records.record(Records.claude, Self.claudeInput, override: .modelOutput(written))
        #expect(Inference.respond(to: record) == InferenceResult(outcome: .output(written), inputTokens: 11, outputTokens: 22))
        let unknown = Records.parse(#"{"answer": "x"}"#)
        let plain = Inference.respond(to: Records.record(Records.claude, Self.claudeInput, override: .modelOutput(unknown)))
        #expect(plain == InferenceResult(outcome: .output(unknown), inputTokens: 8, outputTokens: 0))
        let llama = Records.parse(#"{"generation": "g", "prompt_token_count": 3, "generation_token_count": 4}"#)
        #expect(Inference.respond(to: Records.record(Records.claude, Self.claudeInput, override: .modelOutput(llama))).outputTokens == 4)
    }

    @Test func errorOverride() {
        let record = Records.record(Records.claude, Self.claudeInput, override: .error(code: 429, message: "Too many requests"))
        #expect(Inference.respond(to: record) == InferenceResult(outcome: .error(code: 429, message: "Too many requests"), inputTokens: 0, outputTokens: 0))
        let refusal = Inference.refusal(of: record)
        #expect(refusal?.code == 429 && refusal?.message == "Too many requests")
        // Bedrock refuses a malformed body before any model (or override) answers it.
        let malformed = Records.record(Records.claude, #"{"messages": []}"#, override: .text("never"))
        #expect(Records.errorMessage(malformed).hasPrefix("Malformed input request"))
        #expect(Inference.refusal(of: Records.record(Records.claude, Self.claudeInput)) == nil)
    }
}
