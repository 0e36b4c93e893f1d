import JSON

/// The cheap per-record checks: would Bedrock refuse this record's body before the model saw it?
/// Linear in the size of the input's top two levels, so that every record can be checked when a job
/// is validated. Only what a model's request schema requires is checked (required members, their
/// types, enumerations); unknown members pass, except where noted.
enum Validation {
    /// Claude's request schema holds the Text Completions form beside the Messages form (`not`
    /// `required` `messages`); a body with `messages` that fails the Messages form fails both, and the
    /// message lists the failed `not` first. Seen in ValidationExceptions of Claude 3 on Bedrock.
    static let claudeMessagesPreamble = #"#: subject must not be valid against schema {"required":["messages"]}"#

    /// The Converse API's answer to a conversation that is missing or does not open with a user turn.
    static let conversationStart = "A conversation must start with a user message. Try again with a conversation that starts with a user message."

    /// The Converse API's answer for a model that does not hold conversations (embedding models).
    static let converseUnsupported = "This action doesn't support the model that you provided. Try again with a supported text or chat model."

    /// The error message Bedrock gives the record, or nil when it would reach the model.
    static func refusal(input: JSONValue, shape: Shape, family: ModelFamily, modelId: String) -> String? {
        if shape == .converse {
            if family == .amazonTitanEmbedV1 || family == .amazonTitanEmbedV2 || family == .cohereEmbed { return converseUnsupported }
            guard input.isObject else { return ValidationProblems.notAnObject(input) }
            guard let first = input["messages"]?.array?.first, first["role"]?.string == "user" else { return conversationStart }
            return nil
        }
        guard input.isObject else { return ValidationProblems.notAnObject(input) }
        var problems = ValidationProblems()
        switch shape {
        case .anthropic:
            let hasMessages = input["messages"] != nil
            problems.require("messages", in: input)
            problems.require("max_tokens", in: input)
            problems.require("anthropic_version", in: input)
            problems.expect(input["anthropic_version"], .string, at: "#/anthropic_version")
            if problems.expect(input["max_tokens"], .integer, at: "#/max_tokens") { problems.expect(input["max_tokens"], atLeast: 1, at: "#/max_tokens") }
            problems.checkMessages(input, required: ["role", "content"], roles: ["user", "assistant"], contentIsArray: false)
            return problems.message(after: hasMessages ? claudeMessagesPreamble : nil)
        case .nova:
            problems.require("messages", in: input)
            problems.checkMessages(input, required: ["role", "content"], roles: ["user", "assistant"], contentIsArray: true)
            problems.expect(input["system"], .array, at: "#/system")
            if problems.expect(input["inferenceConfig"], .object, at: "#/inferenceConfig") {
                problems.expect(input[path: "inferenceConfig", "maxTokens"], .integer, at: "#/inferenceConfig/maxTokens")
            }
        case .titanText:
            checkInputText(input, into: &problems)
            if problems.expect(input["textGenerationConfig"], .object, at: "#/textGenerationConfig") {
                problems.expect(input[path: "textGenerationConfig", "maxTokenCount"], .integer, at: "#/textGenerationConfig/maxTokenCount")
            }
        case .titanEmbedV1:
            checkInputText(input, into: &problems)
        case .titanEmbedV2:
            checkInputText(input, into: &problems)
            if problems.expect(input["dimensions"], .integer, at: "#/dimensions") {
                problems.expect(input["dimensions"], oneOf: [.integer(1024), .integer(512), .integer(256)], at: "#/dimensions")
            }
            problems.expect(input["normalize"], .boolean, at: "#/normalize")
            checkList(input["embeddingTypes"], at: "#/embeddingTypes", allowed: ["float", "binary"], into: &problems)
        case .llama:
            problems.require("prompt", in: input)
            // Seen when a Messages body reaches Llama: the schema closes the object.
            if input["prompt"] == nil, input["messages"] != nil { problems.add("#: extraneous key [messages] is not permitted") }
            problems.expect(input["prompt"], .string, at: "#/prompt")
            problems.expect(input["max_gen_len"], .integer, at: "#/max_gen_len")
        case .mistralText, .deepSeekText:
            problems.require("prompt", in: input)
            problems.expect(input["prompt"], .string, at: "#/prompt")
            problems.expect(input["max_tokens"], .integer, at: "#/max_tokens")
        case .mistralChat, .openAIChat:
            problems.require("messages", in: input)
            problems.checkMessages(input, required: ["role"], roles: nil, contentIsArray: false)
            problems.expect(input["max_tokens"], .integer, at: "#/max_tokens")
            problems.expect(input["max_completion_tokens"], .integer, at: "#/max_completion_tokens")
        case .cohereEmbed:
            let base = ModelFamily.baseModelId(of: modelId) ?? modelId.lowercased()
            checkCohere(input, version4: ModelFamily.isCohereEmbedV4(base), into: &problems)
        case .converse, .generic:
            break
        }
        return problems.message()
    }

    private static func checkInputText(_ input: JSONValue, into problems: inout ValidationProblems) {
        problems.require("inputText", in: input)
        problems.expect(input["inputText"], .string, at: "#/inputText")
    }

    /// A non-empty array of strings from `allowed`.
    private static func checkList(_ value: JSONValue?, at pointer: String, allowed: [String], into problems: inout ValidationProblems) {
        guard problems.expect(value, .array, at: pointer), let elements = value?.array else { return }
        if elements.isEmpty { problems.add("\(pointer): expected minimum item count: 1, found: 0") }
        let allowedValues = allowed.map(JSONValue.string)
        for (index, element) in elements.enumerated() where problems.expect(element, .string, at: "\(pointer)/\(index)") {
            problems.expect(element, oneOf: allowedValues, at: "\(pointer)/\(index)")
        }
    }

    /// Cohere Embed (AWS's "Cohere Embed models" and "Cohere Embed v4" pages): `texts` (at most 96
    /// strings) and `input_type` are required; v4's `output_dimension` is one of 256, 512, 1024, 1536,
    /// and its `truncate` NONE, LEFT or RIGHT (v3's START and END pass too).
    private static func checkCohere(_ input: JSONValue, version4: Bool, into problems: inout ValidationProblems) {
        problems.require("texts", in: input)
        problems.require("input_type", in: input)
        if problems.expect(input["texts"], .array, at: "#/texts"), let texts = input["texts"]?.array {
            if texts.count > 96 { problems.add("#/texts: expected maximum item count: 96, found: \(texts.count)") }
            for (index, text) in texts.enumerated() { problems.expect(text, .string, at: "#/texts/\(index)") }
        }
        if problems.expect(input["input_type"], .string, at: "#/input_type") {
            let types: [JSONValue] = ["search_document", "search_query", "classification", "clustering"].map(JSONValue.string)
            problems.expect(input["input_type"], oneOf: types, at: "#/input_type")
        }
        checkList(input["embedding_types"], at: "#/embedding_types", allowed: ["float", "int8", "uint8", "binary", "ubinary"], into: &problems)
        if problems.expect(input["truncate"], .string, at: "#/truncate") {
            let allowed = version4 ? ["NONE", "LEFT", "RIGHT", "START", "END"] : ["NONE", "START", "END"]
            problems.expect(input["truncate"], oneOf: allowed.map(JSONValue.string), at: "#/truncate")
        }
        if version4, problems.expect(input["output_dimension"], .integer, at: "#/output_dimension") {
            let dimensions = EmbeddingOutput.cohereV4Dimensions.map { JSONValue.integer($0) }
            problems.expect(input["output_dimension"], oneOf: dimensions, at: "#/output_dimension")
        }
    }
}
