import JSON

/// What the model says for one record, before it is put in the family's shape: text (perhaps cut at
/// the record's max tokens) or one tool call, and the tokens counted by the token rule.
struct Reply {
    enum Body {
        case text(String)
        /// A call of the tool `name` with `input`; `arguments` is the compact JSON text of `input`
        /// (perhaps cut) for the families whose call holds it (OpenAI, Mistral).
        case tool(name: String, input: JSONValue, arguments: String?)
    }

    var body: Body
    /// Whether the text or the tool call stopped at the record's max tokens.
    var truncated: Bool
    var inputTokens: Int64
    var outputTokens: Int64

    /// The generated answer: a tool call when the input offers a tool to call, else a few sentences;
    /// either cut to the record's max tokens (at most `Tokens.maxOutputTokens`) when it is longer.
    /// A cut tool call keeps what was generated before the limit: for the families whose call holds
    /// a value (Claude, Nova, Converse), the members that fit, closed as JSON (`JSONPrefix.cut`);
    /// for those whose call holds the arguments' text (OpenAI, Mistral), the text cut at the limit,
    /// which is not valid JSON any more. Either counts the whole limit as output tokens.
    static func generated(input: JSONValue, shape: Shape, inputTokens: Int64, generator: inout SeededGenerator) -> Reply {
        let limit = shape.generationLimit(input)
        if let tool = ToolRequest(input, shape: shape) {
            let byteLimit = 4 * Int(limit)
            let sample = SchemaSampler.sample(tool.schema, generator: &generator, byteLimit: byteLimit)
            var arguments = sample.value
            var truncated = sample.hitByteLimit
            if shape.toolArgumentsAreText {
                var text = JSONWalk.text(arguments)
                if truncated || text.utf8.count > byteLimit {
                    truncated = true
                    text = Tokens.truncate(text, toTokens: limit)
                }
                return Reply(
                    body: .tool(name: tool.name, input: arguments, arguments: text), truncated: truncated, inputTokens: inputTokens,
                    outputTokens: truncated ? limit : Tokens.count(text))
            }
            var size = JSONPrefix.size(of: arguments)
            if truncated || size > byteLimit {
                truncated = true
                arguments = JSONPrefix.cut(arguments, toBytes: byteLimit).value
                size = JSONPrefix.size(of: arguments)
            }
            return Reply(
                body: .tool(name: tool.name, input: arguments, arguments: nil), truncated: truncated, inputTokens: inputTokens,
                outputTokens: truncated ? limit : Tokens.count(bytes: size))
        }
        var text = TextGenerator.sentences(&generator)
        var truncated = false
        if Tokens.count(text) > limit {
            text = Tokens.truncate(text, toTokens: limit)
            truncated = true
        }
        return Reply(body: .text(text), truncated: truncated, inputTokens: inputTokens, outputTokens: Tokens.count(text))
    }

    /// The text a test chose, whole (an override is not cut to the max tokens).
    static func chosen(_ text: String, inputTokens: Int64) -> Reply {
        Reply(body: .text(text), truncated: false, inputTokens: inputTokens, outputTokens: Tokens.count(text))
    }

    /// The stop reason in a family's words: natural end, max tokens, tool call. A tool call cut at
    /// the max tokens stops at the max tokens, as Claude's does.
    func stopReason(_ end: String, _ length: String, _ tool: String) -> String {
        if truncated { return length }
        if case .tool = body { return tool }
        return end
    }

    var text: String {
        if case .text(let text) = body { return text }
        return ""
    }
}
