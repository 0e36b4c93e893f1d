import JSON

/// Turns one batch record into what Bedrock writes for it: the `modelOutput` the model's family
/// would answer (InvokeModel's response body, or Converse's for Converse jobs), or the record's
/// error. Deterministic: the same record gives the same bytes, from a generator seeded by the
/// record (FNV-1a of model id, record id and input). See docs/model-outputs.md.
public enum Inference {
    public static func respond(to record: InferenceRecord) -> InferenceResult {
        let family = ModelFamily.of(modelId: record.modelId)
        let shape = Shape(family: family, invocationType: record.invocationType, input: record.modelInput)
        if let refusal = refusal(of: record, family: family, shape: shape) {
            return InferenceResult(outcome: .error(code: refusal.code, message: refusal.message), inputTokens: 0, outputTokens: 0)
        }
        let input = record.modelInput
        let inputTokens = PromptText(input, shape: shape).inputTokens
        var chosenText: String?
        switch record.override {
        case .modelOutput(let value)?:
            let counts = OverrideTokens.read(value) ?? (inputTokens, 0)
            return InferenceResult(outcome: .output(value), inputTokens: counts.input, outputTokens: counts.output)
        case .text(let text)?:
            chosenText = text
        case .error?, nil:
            break
        }
        let model = ModelFamily.baseModelId(of: record.modelId) ?? record.modelId.lowercased()
        var generator = SeededGenerator(seed: FNV1a.seed(modelId: record.modelId, recordId: record.recordId, input: input))
        let output: JSONValue
        switch shape {
        case .titanEmbedV1, .titanEmbedV2:
            let text = chosenText ?? input["inputText"]?.string ?? ""
            output = EmbeddingOutput.titan(input, text: text, model: model, inputTokens: inputTokens, version2: shape == .titanEmbedV2)
            return InferenceResult(outcome: .output(output), inputTokens: inputTokens, outputTokens: 0)
        case .cohereEmbed:
            output = EmbeddingOutput.cohere(input, override: chosenText, model: model, generator: &generator)
            return InferenceResult(outcome: .output(output), inputTokens: inputTokens, outputTokens: 0)
        default:
            break
        }
        let reply =
            chosenText.map { Reply.chosen($0, inputTokens: inputTokens) }
            ?? Reply.generated(input: input, shape: shape, inputTokens: inputTokens, generator: &generator)
        switch shape {
        case .anthropic: output = ChatOutput.anthropic(reply, model: model, generator: &generator)
        case .nova: output = ChatOutput.converse(reply, nova: true, generator: &generator)
        case .converse: output = ChatOutput.converse(reply, nova: false, generator: &generator)
        case .openAIChat: output = ChatOutput.openAI(reply, model: model, generator: &generator)
        case .mistralChat: output = ChatOutput.mistralChat(reply, generator: &generator)
        case .titanText: output = TextOutput.titan(reply)
        case .llama: output = TextOutput.llama(reply)
        case .mistralText: output = TextOutput.mistral(reply)
        case .deepSeekText: output = TextOutput.deepSeek(reply)
        case .generic, .titanEmbedV1, .titanEmbedV2, .cohereEmbed: output = TextOutput.generic(reply)
        }
        return InferenceResult(outcome: .output(output), inputTokens: reply.inputTokens, outputTokens: reply.outputTokens)
    }

    /// The user-visible text of a prompt, pieces joined by "\n": the system prompt, the messages'
    /// text (and tool results' text), `prompt`, `inputText`, Cohere's `texts`. Tool definitions and
    /// images are not in it. For rules that match records by their text.
    public static func prompt(of input: JSONValue, family: ModelFamily, invocationType: InvocationType) -> String {
        PromptText(input, shape: Shape(family: family, invocationType: invocationType, input: input)).text
    }

    /// The error `respond(to:)` gives the record, without making its answer: the checks of the
    /// model's request schema (cheap: linear in the top levels of the input), then an error
    /// override. A record Bedrock would refuse is refused whatever the override chose.
    public static func refusal(of record: InferenceRecord) -> (code: Int, message: String)? {
        let family = ModelFamily.of(modelId: record.modelId)
        return refusal(of: record, family: family, shape: Shape(family: family, invocationType: record.invocationType, input: record.modelInput))
    }

    private static func refusal(of record: InferenceRecord, family: ModelFamily, shape: Shape) -> (code: Int, message: String)? {
        if let message = Validation.refusal(input: record.modelInput, shape: shape, family: family, modelId: record.modelId) { return (400, message) }
        if case .error(let code, let message)? = record.override { return (code, message) }
        return nil
    }
}
