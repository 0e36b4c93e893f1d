import JSON

/// The body format of one record: the family, refined by the job's invocation type and by the input
/// itself where one family speaks two formats (Mistral's text and chat models, DeepSeek's prompt).
enum Shape: Sendable {
    case anthropic
    case nova
    case converse
    case titanText
    case titanEmbedV1
    case titanEmbedV2
    case llama
    case mistralText
    case mistralChat
    case cohereEmbed
    case openAIChat
    /// DeepSeek-R1's InvokeModel format: `prompt` in, `choices` [{text, stop_reason}] out.
    case deepSeekText
    case generic

    init(family: ModelFamily, invocationType: InvocationType, input: JSONValue) {
        if invocationType == .converse {
            self = .converse
            return
        }
        switch family {
        case .anthropicClaude: self = .anthropic
        case .amazonNova: self = .nova
        case .amazonTitanText: self = .titanText
        case .amazonTitanEmbedV1: self = .titanEmbedV1
        case .amazonTitanEmbedV2: self = .titanEmbedV2
        case .metaLlama: self = .llama
        case .mistralText, .mistralChat:
            // The input decides: a record with `messages` is a chat request, one with `prompt` a text one.
            if input["messages"] != nil {
                self = .mistralChat
            } else if input["prompt"] != nil {
                self = .mistralText
            } else {
                self = family == .mistralChat ? .mistralChat : .mistralText
            }
        case .cohereEmbed: self = .cohereEmbed
        case .openAIChat: self = input["messages"] == nil && input["prompt"] != nil ? .deepSeekText : .openAIChat
        case .unknown: self = .generic
        }
    }

    var isEmbedding: Bool {
        switch self {
        case .titanEmbedV1, .titanEmbedV2, .cohereEmbed: return true
        default: return false
        }
    }

    /// The member that holds the tool definitions.
    var toolsKey: String? {
        switch self {
        case .anthropic, .openAIChat, .mistralChat: return "tools"
        case .nova, .converse: return "toolConfig"
        default: return nil
        }
    }

    /// The tokens the answer may take: the record's max tokens within 0 ... `Tokens.maxOutputTokens`,
    /// or that maximum when the record says none.
    func generationLimit(_ input: JSONValue) -> Int64 {
        min(max(maxTokens(input) ?? Tokens.maxOutputTokens, 0), Tokens.maxOutputTokens)
    }

    /// Whether a tool call holds its arguments as JSON text (OpenAI's and Mistral's `arguments`)
    /// rather than as a value (Claude's `input`, Converse's and Nova's `toolUse.input`).
    var toolArgumentsAreText: Bool { self == .openAIChat || self == .mistralChat }

    /// The largest number of tokens the record allows the answer, where the input says.
    func maxTokens(_ input: JSONValue) -> Int64? {
        let candidates: [JSONValue?]
        switch self {
        case .anthropic, .mistralText, .mistralChat, .deepSeekText: candidates = [input["max_tokens"]]
        case .nova: candidates = [input[path: "inferenceConfig", "maxTokens"], input[path: "inferenceConfig", "max_new_tokens"]]
        case .converse: candidates = [input[path: "inferenceConfig", "maxTokens"]]
        case .titanText: candidates = [input[path: "textGenerationConfig", "maxTokenCount"]]
        case .llama: candidates = [input["max_gen_len"]]
        case .openAIChat: candidates = [input["max_completion_tokens"], input["max_tokens"]]
        case .titanEmbedV1, .titanEmbedV2, .cohereEmbed: candidates = []
        case .generic:
            candidates = [
                input["max_tokens"], input["maxTokens"], input["max_gen_len"], input["max_completion_tokens"], input["max_new_tokens"],
                input["maxTokenCount"], input[path: "textGenerationConfig", "maxTokenCount"], input[path: "inferenceConfig", "maxTokens"],
            ]
        }
        return candidates.lazy.compactMap { $0?.int64Value }.first
    }
}
