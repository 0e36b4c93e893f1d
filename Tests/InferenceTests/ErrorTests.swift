import Inference
import JSON
import Testing

/// The records Bedrock refuses, with its messages; `refusal(of:)` agrees with `respond(to:)` on each.
@Suite struct ErrorTests {
    static func malformed(_ problems: String) -> String {
        "Malformed input request: \(problems), please reformat your input and try again."
    }

    static let preamble = #"#: subject must not be valid against schema {"required":["messages"]}"#

    @Test(arguments: [
        // Anthropic: the Messages form's requirements, after the failed Text Completions branch when `messages` is there.
        (
            Records.claude, #"{"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "Hi"}]}"#,
            malformed(preamble + "#: required key [max_tokens] not found")
        ),
        (
            Records.claude, #"{"max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}"#,
            malformed(preamble + "#: required key [anthropic_version] not found")
        ),
        (
            Records.claude, #"{"messages": [{"role": "user", "content": "Hi"}]}"#,
            malformed(preamble + "#: required key [max_tokens] not found#: required key [anthropic_version] not found")
        ),
        (
            Records.claude, #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10}"#,
            malformed("#: required key [messages] not found")
        ),
        (
            Records.claude, #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": "10", "messages": [{}]}"#,
            malformed(preamble + "#/max_tokens: expected type: Integer, found: String#/messages/0: required key [role] not found#/messages/0: required key [content] not found")
        ),
        (
            Records.claude, #"{"anthropic_version": 2023, "max_tokens": 0, "messages": "Hi"}"#,
            malformed(
                preamble
                    + "#/anthropic_version: expected type: String, found: Integer#/max_tokens: 0 is not greater or equal to 1#/messages: expected type: JSONArray, found: String")
        ),
        (
            Records.claude, #"{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1.5, "messages": [{"role": "system", "content": "x"}]}"#,
            malformed(preamble + "#/max_tokens: expected type: Integer, found: BigDecimal#/messages/0/role: system is not a valid enum value")
        ),
        // Nova.
        (Records.nova, #"{"inferenceConfig": {"maxTokens": 10}}"#, malformed("#: required key [messages] not found")),
        (Records.nova, #"{"messages": [{"role": "user", "content": "Hi"}]}"#, malformed("#/messages/0/content: expected type: JSONArray, found: String")),
        (
            Records.nova, #"{"messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": "many"}}"#,
            malformed("#/inferenceConfig/maxTokens: expected type: Integer, found: String")
        ),
        // Titan.
        (Records.titanText, #"{"textGenerationConfig": {"maxTokenCount": 10}}"#, malformed("#: required key [inputText] not found")),
        (Records.titanText, #"{"inputText": ["Hi"]}"#, malformed("#/inputText: expected type: String, found: JSONArray")),
        (Records.titanEmbedV1, #"{"text": "Hi"}"#, malformed("#: required key [inputText] not found")),
        (Records.titanEmbedV2, #"{"inputText": "Hi", "dimensions": 100}"#, malformed("#/dimensions: 100 is not a valid enum value")),
        (Records.titanEmbedV2, #"{"inputText": "Hi", "normalize": "yes"}"#, malformed("#/normalize: expected type: Boolean, found: String")),
        (
            Records.titanEmbedV2, #"{"inputText": "Hi", "embeddingTypes": ["float", "int8"]}"#,
            malformed("#/embeddingTypes/1: int8 is not a valid enum value")
        ),
        (Records.titanEmbedV2, #"{"inputText": "Hi", "embeddingTypes": []}"#, malformed("#/embeddingTypes: expected minimum item count: 1, found: 0")),
        // Llama and the text models.
        (
            Records.llama, #"{"messages": [{"role": "user", "content": "Hi"}]}"#,
            malformed("#: required key [prompt] not found#: extraneous key [messages] is not permitted")
        ),
        (Records.llama, #"{"prompt": "Hi", "max_gen_len": "5"}"#, malformed("#/max_gen_len: expected type: Integer, found: String")),
        (Records.mistralText, #"{"max_tokens": 5}"#, malformed("#: required key [prompt] not found")),
        (Records.mistralChat, #"{"max_tokens": 5}"#, malformed("#: required key [messages] not found")),
        (Records.gptOSS, #"{"max_tokens": 5}"#, malformed("#: required key [messages] not found")),
        (Records.gptOSS, #"{"messages": [{"content": "Hi"}]}"#, malformed("#/messages/0: required key [role] not found")),
        // Cohere.
        (Records.cohere, #"{"input_type": "search_query"}"#, malformed("#: required key [texts] not found")),
        (Records.cohere, #"{"texts": ["a"]}"#, malformed("#: required key [input_type] not found")),
        (
            Records.cohere, #"{"texts": ["a", 1], "input_type": "search"}"#,
            malformed("#/texts/1: expected type: String, found: Integer#/input_type: search is not a valid enum value")
        ),
        // Not an object at all.
        (Records.claude, #"["Hi"]"#, malformed("#: expected type: JSONObject, found: JSONArray")),
        (Records.titanText, #""Hi""#, malformed("#: expected type: JSONObject, found: String")),
        ("x.unknown", "42", malformed("#: expected type: JSONObject, found: Integer")),
    ])
    func invokeModelRefusals(model: String, input: String, message: String) {
        #expect(Records.errorMessage(Records.record(model, input)) == message)
    }

    @Test func tooManyCohereTexts() {
        let texts = (0..<97).map { "\"t\($0)\"" }.joined(separator: ",")
        let message = Records.errorMessage(Records.record(Records.cohere, #"{"texts": [\#(texts)], "input_type": "clustering"}"#))
        #expect(message == Self.malformed("#/texts: expected maximum item count: 96, found: 97"))
    }

    @Test(arguments: [
        #"{"inferenceConfig": {"maxTokens": 10}}"#,
        #"{"messages": []}"#,
        #"{"messages": [{"role": "assistant", "content": [{"text": "Hi"}]}]}"#,
    ])
    func converseNeedsAUserTurnFirst(input: String) {
        let message = Records.errorMessage(Records.record(Records.claude, input, converse: true))
        #expect(message == "A conversation must start with a user message. Try again with a conversation that starts with a user message.")
    }

    @Test(arguments: [Records.titanEmbedV2, Records.cohere])
    func converseRefusesEmbeddingModels(model: String) {
        let message = Records.errorMessage(Records.record(model, #"{"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}"#, converse: true))
        #expect(message == "This action doesn't support the model that you provided. Try again with a supported text or chat model.")
    }

    @Test func unknownModelsTakeAnyObject() {
        #expect(Inference.refusal(of: Records.record("x.unknown", "{}")) == nil)
        #expect(Inference.refusal(of: Records.record(Records.claude, #"["x"]"#, converse: true))?.code == 400)
    }
}
