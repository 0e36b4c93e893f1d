import JSON

/// The response bodies of the text-completion formats, as AWS's pages show them: "Amazon Titan Text
/// models", "Meta Llama models", "Mistral AI text completion", "DeepSeek models", and our own for
/// models whose family we do not know.
enum TextOutput {
    /// Titan Text: {inputTextTokenCount, results [{tokenCount, outputText, completionReason}]}.
    static func titan(_ reply: Reply) -> JSONValue {
        let result: JSONValue = .fields([
            "tokenCount": .integer(reply.outputTokens), "outputText": .string(reply.text),
            "completionReason": .string(reply.stopReason("FINISH", "LENGTH", "FINISH")),
        ])
        return .fields(["inputTextTokenCount": .integer(reply.inputTokens), "results": .array([result])])
    }

    /// Llama: {generation, prompt_token_count, generation_token_count, stop_reason}.
    static func llama(_ reply: Reply) -> JSONValue {
        .fields([
            "generation": .string(reply.text), "prompt_token_count": .integer(reply.inputTokens),
            "generation_token_count": .integer(reply.outputTokens), "stop_reason": .string(reply.stopReason("stop", "length", "stop")),
        ])
    }

    /// Mistral text completion: {outputs [{text, stop_reason}]}.
    static func mistral(_ reply: Reply) -> JSONValue {
        let output: JSONValue = .fields(["text": .string(reply.text), "stop_reason": .string(reply.stopReason("stop", "length", "stop"))])
        return .fields(["outputs": .array([output])])
    }

    /// DeepSeek-R1 on InvokeModel: {choices [{text, stop_reason}]}.
    static func deepSeek(_ reply: Reply) -> JSONValue {
        let choice: JSONValue = .fields(["text": .string(reply.text), "stop_reason": .string(reply.stopReason("stop", "length", "stop"))])
        return .fields(["choices": .array([choice])])
    }

    /// Ours, for a model whose family the id does not tell (a provisioned or custom model, an
    /// application inference profile, a model we do not know): {outputText, stopReason, usage
    /// {inputTokens, outputTokens}}.
    static func generic(_ reply: Reply) -> JSONValue {
        .fields([
            "outputText": .string(reply.text), "stopReason": .string(reply.stopReason("end_turn", "max_tokens", "end_turn")),
            "usage": .fields(["inputTokens": .integer(reply.inputTokens), "outputTokens": .integer(reply.outputTokens)]),
        ])
    }
}
