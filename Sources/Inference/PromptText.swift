import JSON

/// The text of a prompt as the pieces a user wrote (system prompt, messages, tool results), and
/// the size of the tool definitions beside it.
struct PromptText {
    private(set) var pieces: [String] = []
    /// UTF-8 bytes of the pieces joined by "\n".
    private(set) var bytes = 0
    /// UTF-8 bytes of the compact JSON of the tool definitions.
    private(set) var toolBytes = 0

    init(_ input: JSONValue, shape: Shape) {
        switch shape {
        case .anthropic, .nova, .converse, .openAIChat, .mistralChat: addChat(input)
        case .titanText, .titanEmbedV1, .titanEmbedV2: add(input["inputText"]?.string)
        case .llama, .mistralText, .deepSeekText: add(input["prompt"]?.string)
        case .cohereEmbed: for text in input["texts"]?.array ?? [] { add(text.string) }
        case .generic:
            addChat(input)
            add(input["prompt"]?.string)
            add(input["inputText"]?.string)
            for text in input["texts"]?.array ?? [] { add(text.string) }
        }
        if let key = shape.toolsKey, let tools = input[key] {
            toolBytes = JSONWalk.byteCount(tools)
        } else if shape == .generic {
            toolBytes = [input["tools"], input["toolConfig"]].compactMap { $0 }.reduce(0) { $0 + JSONWalk.byteCount($1) }
        }
    }

    var text: String { pieces.joined(separator: "\n") }

    /// Input tokens by the token rule.
    var inputTokens: Int64 { Tokens.input(promptBytes: bytes, toolBytes: toolBytes) }

    private mutating func add(_ text: String?) {
        guard let text else { return }
        if !pieces.isEmpty { bytes += 1 }
        bytes += text.utf8.count
        pieces.append(text)
    }

    private mutating func addChat(_ input: JSONValue) {
        addContent(input["system"], level: 0)
        for message in input["messages"]?.array ?? [] { addContent(message["content"], level: 0) }
    }

    /// The text of a content value: a string, or blocks holding `text`, or tool results holding
    /// either (Anthropic's `tool_result` `content`, Converse's `toolResult` `content`): two levels at most.
    private mutating func addContent(_ content: JSONValue?, level: Int) {
        switch content {
        case .string(let text)?: add(text)
        case .array(let blocks)?:
            for block in blocks {
                if let text = block.string ?? block["text"]?.string { add(text) }
                guard level < 2 else { continue }
                addContent(block["content"], level: level + 1)
                addContent(block[path: "toolResult", "content"], level: level + 1)
            }
        default: break
        }
    }
}
