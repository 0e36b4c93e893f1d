import Inference
import JSON
import Testing

/// Each family's body, member for member.
@Suite struct OutputShapeTests {
    static let messages = #""messages": [{"role": "user", "content": "Summarise the report."}]"#

    @Test func anthropicMessages() {
        let input = #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512, "system": "Be brief.", \#(Self.messages)}"#
        let output = Records.output(Records.record("us." + Records.claude, input))
        #expect(Records.keys(output) == ["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"])
        let id = output["id"]?.text ?? ""
        #expect(id.hasPrefix("msg_bdrk_01") && id.count == "msg_bdrk_".count + 24)
        #expect(output["type"] == .string("message") && output["role"] == .string("assistant"))
        #expect(output["model"] == .string("claude-3-5-sonnet-20240620"))
        #expect(output["stop_reason"] == .string("end_turn") && output["stop_sequence"] == .null)
        let block = output["content"]?.elements.first
        #expect(Records.keys(block) == ["type", "text"] && block?["type"] == .string("text"))
        #expect(Records.keys(output["usage"]) == ["input_tokens", "output_tokens"])
    }

    @Test func novaMessages() {
        let input = #"{"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": 300}}"#
        let output = Records.output(Records.record(Records.nova, input))
        #expect(Records.keys(output) == ["output", "stopReason", "usage"])
        #expect(Records.keys(output["output"]) == ["message"])
        #expect(Records.keys(output[path: "output", "message"]) == ["role", "content"])
        #expect(Records.keys(output[path: "output", "message"]?["content"]?.elements.first) == ["text"])
        #expect(output["stopReason"] == .string("end_turn"))
        #expect(Records.keys(output["usage"]) == ["inputTokens", "outputTokens", "totalTokens", "cacheReadInputTokenCount", "cacheWriteInputTokenCount"])
    }

    @Test func converseJob() {
        let input = #"{"system": [{"text": "Be brief."}], "messages": [{"role": "user", "content": [{"text": "Hi"}]}]}"#
        for model in [Records.claude, Records.llama, "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/x"] {
            let output = Records.output(Records.record(model, input, converse: true))
            #expect(Records.keys(output) == ["output", "stopReason", "usage", "metrics"])
            #expect(Records.keys(output["usage"]) == ["inputTokens", "outputTokens", "totalTokens"])
            #expect(Records.keys(output["metrics"]) == ["latencyMs"])
            #expect(output[path: "output", "message", "role"] == .string("assistant"))
        }
    }

    @Test func titanText() {
        let input = #"{"inputText": "Write a haiku.", "textGenerationConfig": {"maxTokenCount": 200}}"#
        let output = Records.output(Records.record(Records.titanText, input))
        #expect(Records.keys(output) == ["inputTextTokenCount", "results"])
        let result = output["results"]?.elements.first
        #expect(Records.keys(result) == ["tokenCount", "outputText", "completionReason"])
        #expect(result?["completionReason"] == .string("FINISH"))
    }

    @Test func titanEmbedV1() {
        let output = Records.output(Records.record(Records.titanEmbedV1, #"{"inputText": "hello"}"#))
        #expect(Records.keys(output) == ["embedding", "inputTextTokenCount"])
        #expect(output["embedding"]?.elements.count == 1536)
        #expect(output["inputTextTokenCount"]?.int == 2)
        // Eight decimals, no exponent, no "-0".
        for case .number(let literal) in output["embedding"]?.elements ?? [] {
            let digits = literal.hasPrefix("-") ? literal.dropFirst() : Substring(literal)
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && parts[0] == "0" || parts[0] == "1", "\(literal)")
            #expect(parts.count == 2 && parts[1].count == 8 && parts[1].allSatisfy(\.isNumber), "\(literal)")
            #expect(literal != "-0.00000000")
        }
    }

    @Test func titanEmbedV2Defaults() {
        let output = Records.output(Records.record(Records.titanEmbedV2, #"{"inputText": "hello world"}"#))
        #expect(Records.keys(output) == ["embedding", "inputTextTokenCount", "embeddingsByType"])
        let embedding = output["embedding"]?.elements ?? []
        #expect(embedding.count == 1024)
        #expect(Records.keys(output["embeddingsByType"]) == ["float"])
        #expect(output[path: "embeddingsByType", "float"] == output["embedding"])
        let norm = embedding.compactMap(\.double).reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-6)
    }

    @Test(arguments: [512, 256])
    func titanEmbedV2Options(dimensions: Int) {
        let input = #"{"inputText": "hello", "dimensions": \#(dimensions), "normalize": false, "embeddingTypes": ["float", "binary"]}"#
        let output = Records.output(Records.record(Records.titanEmbedV2, input))
        let floats = output[path: "embeddingsByType", "float"]?.elements ?? []
        let binary = output[path: "embeddingsByType", "binary"]?.elements ?? []
        #expect(floats.count == dimensions && binary.count == dimensions)
        #expect(binary.allSatisfy { $0 == .number("0") || $0 == .number("1") })
        for (float, bit) in zip(floats, binary) {
            let positive = (float.double ?? 0) > 0
            #expect(positive == (bit == .number("1")))
        }
        let norm = floats.compactMap(\.double).reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) > 1e-3, "not normalized when asked not to")
        #expect(floats.allSatisfy { ($0.double ?? 9).isFinite && abs($0.double ?? 9) <= 1 })
    }

    @Test func llama() {
        let output = Records.output(Records.record(Records.llama, #"{"prompt": "<|begin_of_text|>Hi", "max_gen_len": 512}"#))
        #expect(Records.keys(output) == ["generation", "prompt_token_count", "generation_token_count", "stop_reason"])
        #expect(output["stop_reason"] == .string("stop"))
    }

    @Test func mistralText() {
        let output = Records.output(Records.record(Records.mistralText, #"{"prompt": "<s>[INST] Hi [/INST]", "max_tokens": 400}"#))
        #expect(Records.keys(output) == ["outputs"])
        #expect(Records.keys(output["outputs"]?.elements.first) == ["text", "stop_reason"])
    }

    @Test func mistralChatAnswersTheInputsFormat() {
        // A chat model given a prompt answers in the text format, a text model given messages in the chat one.
        let chat = Records.output(Records.record(Records.mistralText, "{\(Self.messages)}"))
        #expect(Records.keys(chat) == ["choices"])
        let choice = chat["choices"]?.elements.first
        #expect(Records.keys(choice) == ["index", "message", "stop_reason"])
        #expect(Records.keys(choice?["message"]) == ["role", "content"])
        let text = Records.output(Records.record(Records.mistralChat, #"{"prompt": "<s>[INST] Hi [/INST]"}"#))
        #expect(Records.keys(text) == ["outputs"])
    }

    @Test func cohereEmbed() {
        let input = #"{"texts": ["one", "two", "three"], "input_type": "search_document"}"#
        let output = Records.output(Records.record(Records.cohere, input))
        #expect(Records.keys(output) == ["embeddings", "id", "response_type", "texts"])
        #expect(output["response_type"] == .string("embeddings_floats"))
        #expect(output["embeddings"]?.elements.map(\.elements.count) == [1024, 1024, 1024])
        #expect(output["texts"] == .array([.string("one"), .string("two"), .string("three")]))
        let id = output["id"]?.text ?? ""
        #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
    }

    @Test func cohereEmbedByType() {
        let input = #"{"texts": ["one"], "input_type": "search_query", "embedding_types": ["int8", "float", "ubinary"]}"#
        let output = Records.output(Records.record("cohere.embed-v4:0", input))
        #expect(output["response_type"] == .string("embeddings_by_type"))
        #expect(Records.keys(output["embeddings"]) == ["float", "int8", "ubinary"])
        #expect(output[path: "embeddings", "float"]?.elements.first?.elements.count == 1536)
        #expect(output[path: "embeddings", "ubinary"]?.elements.first?.elements.count == 192)
        let int8 = output[path: "embeddings", "int8"]?.elements.first?.elements.compactMap(\.int) ?? []
        #expect(int8.count == 1536 && int8.allSatisfy { (-128...127).contains($0) })
    }

    @Test func openAIChat() {
        let output = Records.output(Records.record(Records.gptOSS, "{\(Self.messages), \"max_completion_tokens\": 500}"))
        #expect(Records.keys(output) == ["id", "object", "created", "model", "choices", "usage"])
        #expect(output["object"] == .string("chat.completion") && output["created"] == .number("1735689600"))
        #expect(output["model"] == .string(Records.gptOSS))
        let id = output["id"]?.text ?? ""
        #expect(id.hasPrefix("chatcmpl-"))
        let choice = output["choices"]?.elements.first
        #expect(Records.keys(choice) == ["index", "message", "finish_reason"] && choice?["finish_reason"] == .string("stop"))
        #expect(Records.keys(output["usage"]) == ["prompt_tokens", "completion_tokens", "total_tokens"])
    }

    @Test func deepSeekPrompt() {
        let output = Records.output(Records.record("us.deepseek.r1-v1:0", #"{"prompt": "Why?", "max_tokens": 100}"#))
        #expect(Records.keys(output) == ["choices"])
        #expect(Records.keys(output["choices"]?.elements.first) == ["text", "stop_reason"])
    }

    @Test func unknownFamily() {
        let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdef123456"
        let output = Records.output(Records.record(arn, #"{"prompt": "Hi", "anything": [1, 2]}"#))
        #expect(Records.keys(output) == ["outputText", "stopReason", "usage"])
        #expect(Records.keys(output["usage"]) == ["inputTokens", "outputTokens"])
    }
}
