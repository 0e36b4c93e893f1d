import JSON

/// The token counts of a `modelOutput` a test wrote out whole: read from its usage block where it
/// has one we know (Anthropic's, Nova's and Converse's, OpenAI's, Llama's, Titan's); otherwise the
/// caller counts the input by the token rule and the output as 0.
enum OverrideTokens {
    static func read(_ output: JSONValue) -> (input: Int64, output: Int64)? {
        let usage = output["usage"]
        let pairs: [(JSONValue?, JSONValue?)] = [
            (usage?["input_tokens"], usage?["output_tokens"]),
            (usage?["inputTokens"], usage?["outputTokens"]),
            (usage?["prompt_tokens"], usage?["completion_tokens"]),
            (output["prompt_token_count"], output["generation_token_count"]),
            (output["inputTextTokenCount"], output["results"]?.array?.first?["tokenCount"]),
        ]
        for (input, generated) in pairs {
            if let input = input?.int64Value, let generated = generated?.int64Value { return (input, generated) }
        }
        // Titan's embeddings count only their input.
        if let input = output["inputTextTokenCount"]?.int64Value { return (input, 0) }
        return nil
    }
}
