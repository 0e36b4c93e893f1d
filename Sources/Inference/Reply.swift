import JSON

/// What the model says for one record, before it is put in the family's shape: text (perhaps cut at
/// the record's max tokens) or one tool call, and the tokens counted by the token rule.
struct Reply {
    enum Body {
        case text(String)
        /// A call of the tool `name` with `input`; `arguments` is the compact JSON text of `input`.
        case tool(name: String, input: JSONValue, arguments: String)
    }

    var body: Body
    /// Whether the text stopped at the record's max tokens.
    var truncated: Bool
    var inputTokens: Int64
    var outputTokens: Int64

    /// The generated answer: a tool call when the input offers a tool to call, else a few sentences,
    /// cut to the record's max tokens when they are longer.
    static func generated(input: JSONValue, shape: Shape, inputTokens: Int64, generator: inout SeededGenerator) -> Reply {
        if let tool = ToolRequest(input, shape: shape) {
            let arguments = SchemaSampler.sample(tool.schema, generator: &generator).value
            let text = JSONWalk.text(arguments)
            return Reply(
                body: .tool(name: tool.name, input: arguments, arguments: text), truncated: false, inputTokens: inputTokens,
                outputTokens: Tokens.count(text))
        }
        var text = TextGenerator.sentences(&generator)
        var truncated = false
        if let limit = shape.maxTokens(input), Tokens.count(text) > limit {
            text = Tokens.truncate(text, toTokens: limit)
            truncated = true
        }
        return Reply(body: .text(text), truncated: truncated, inputTokens: inputTokens, outputTokens: Tokens.count(text))
    }

    /// The text a test chose, whole (an override is not cut to the max tokens).
    static func chosen(_ text: String, inputTokens: Int64) -> Reply {
        Reply(body: .text(text), truncated: false, inputTokens: inputTokens, outputTokens: Tokens.count(text))
    }

    /// The stop reason in a family's words: natural end, max tokens, tool call.
    func stopReason(_ end: String, _ length: String, _ tool: String) -> String {
        if case .tool = body { return tool }
        return truncated ? length : end
    }

    var text: String {
        if case .text(let text) = body { return text }
        return ""
    }
}
