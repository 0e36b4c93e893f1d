/// The request and response formats a model speaks on InvokeModel. Models of one family share the
/// shape of their bodies (AWS's "Inference request parameters and response fields for foundation
/// models" has one page a family), so the answer is built per family, not per model.
public enum ModelFamily: String, Sendable, CaseIterable {
    case anthropicClaude
    case amazonNova
    case amazonTitanText
    case amazonTitanEmbedV1
    case amazonTitanEmbedV2
    case metaLlama
    /// The older text-completion models (Mistral 7B, Mixtral 8x7B, Large and Small 24.02): `outputs`.
    case mistralText
    /// The chat-completion models (Large 24.07 and later, Pixtral, Ministral, ...): `choices`.
    case mistralChat
    case cohereEmbed
    /// OpenAI-compatible chat completions: gpt-oss, DeepSeek, Qwen.
    case openAIChat
    /// Anything else, including provisioned and custom model ARNs and application inference profiles,
    /// whose model the id does not name.
    case unknown
}

extension ModelFamily {
    /// The family of the model that `modelId` names: a foundation model id, a cross-region or global
    /// inference profile id (`us.`, `eu.`, `apac.`, `global.`, `us-gov.`, ... before the model id), or the ARN
    /// of either. Other ARNs (`provisioned-model/`, `custom-model/`, `imported-model/`,
    /// `application-inference-profile/`) hide their model: `.unknown`.
    public static func of(modelId: String) -> ModelFamily {
        guard let base = baseModelId(of: modelId) else { return .unknown }
        return family(ofBase: base)
    }

    /// The foundation model id inside `modelId` (lower-cased), or nil when the id is an ARN that
    /// does not name one.
    static func baseModelId(of modelId: String) -> String? {
        var id = modelId.lowercased()
        if id.hasPrefix("arn:") {
            // arn:partition:bedrock:region:account:resource-type/model-id (the model id has a ':' of its own).
            let parts = id.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, let slash = parts[5].firstIndex(of: "/") else { return nil }
            let kind = parts[5][..<slash]
            guard kind == "foundation-model" || kind == "inference-profile" else { return nil }
            id = String(parts[5][parts[5].index(after: slash)...])
        }
        // An inference profile puts a geography before the model id; the providers' names never
        // are one, so a first segment that is not a provider is the geography.
        if let dot = id.firstIndex(of: "."), !providers.contains(String(id[..<dot])) {
            let rest = String(id[id.index(after: dot)...])
            if let nextDot = rest.firstIndex(of: "."), providers.contains(String(rest[..<nextDot])) { return rest }
        }
        return id
    }

    /// Whether the base model id (lower-cased) is Cohere Embed v4's, whose vectors have 256 to 1536
    /// dimensions (`output_dimension`) where v3's have 1024.
    static func isCohereEmbedV4(_ base: String) -> Bool {
        base.hasPrefix("cohere.embed") && base.hasSubstring("embed-v4")
    }

    /// The providers whose models Bedrock names `provider.model`.
    static let providers: Set<String> = [
        "anthropic", "amazon", "meta", "mistral", "cohere", "openai", "deepseek", "qwen", "ai21", "stability",
        "writer", "twelvelabs", "luma", "moonshot", "moonshotai", "minimax", "google", "nvidia",
    ]

    private static func family(ofBase id: String) -> ModelFamily {
        if id.hasPrefix("anthropic.claude") { return .anthropicClaude }
        if id.hasPrefix("amazon.nova") {
            // Image, video, speech and embedding models of the Nova line do not answer messages.
            let other = ["canvas", "reel", "sonic", "embed"]
            return other.contains { id.hasSubstring($0) } ? .unknown : .amazonNova
        }
        if id.hasPrefix("amazon.titan-text") || id.hasPrefix("amazon.titan-tg1") { return .amazonTitanText }
        if id.hasPrefix("amazon.titan-embed-text-v2") { return .amazonTitanEmbedV2 }
        if id.hasPrefix("amazon.titan-embed-text-v1") || id.hasPrefix("amazon.titan-embed-g1-text") { return .amazonTitanEmbedV1 }
        if id.hasPrefix("meta.llama") { return .metaLlama }
        if id.hasPrefix("mistral.") {
            let textModels = ["mistral-7b", "mixtral-8x7b", "mistral-large-2402", "mistral-small-2402"]
            return textModels.contains { id.hasSubstring($0) } ? .mistralText : .mistralChat
        }
        if id.hasPrefix("cohere.embed") { return .cohereEmbed }
        if id.hasPrefix("openai.") || id.hasPrefix("deepseek.") || id.hasPrefix("qwen.") { return .openAIChat }
        return .unknown
    }
}

extension String {
    /// Whether `needle` occurs in the string, byte for byte. The standard library's generic
    /// `contains(_:)` for strings costs about a microsecond a call; model ids are short.
    func hasSubstring(_ needle: String) -> Bool {
        let haystack = Array(utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else { return true }
        guard haystack.count >= pattern.count else { return false }
        for start in 0...(haystack.count - pattern.count) where haystack[start] == pattern[0] {
            if haystack[start..<start + pattern.count].elementsEqual(pattern) { return true }
        }
        return false
    }
}
