import JSON

/// The tool the answer calls, when the input offers tools: the named one of a forced choice, else
/// the first. A choice of "auto" still calls the first tool (a pipeline that offers one tool expects
/// the call), unless the conversation's last turn is a tool result, which a model answers in text;
/// a choice of "none" never calls.
struct ToolRequest {
    var name: String
    var schema: JSONValue

    init?(_ input: JSONValue, shape: Shape) {
        switch shape {
        case .anthropic: self.init(anthropic: input)
        case .nova, .converse: self.init(converse: input)
        case .openAIChat, .mistralChat: self.init(openAI: input)
        default: return nil
        }
    }

    private init(name: String, schema: JSONValue) {
        self.name = name
        self.schema = schema
    }

    /// Anthropic: `tools` [{name, description, input_schema}], `tool_choice` {type: auto|any|tool|none, name}.
    private init?(anthropic input: JSONValue) {
        let tools: [(String, JSONValue)] = (input["tools"]?.array ?? []).compactMap { tool in
            tool["name"]?.string.map { ($0, tool["input_schema"] ?? .object([])) }
        }
        let choice = input["tool_choice"]?["type"]?.string ?? "auto"
        let named = choice == "tool" ? input["tool_choice"]?["name"]?.string : nil
        guard choice != "none", let chosen = Self.choose(tools, named: named, forced: choice != "auto", input: input) else { return nil }
        self.init(name: chosen.0, schema: chosen.1)
    }

    /// Converse and Nova: `toolConfig` {tools: [{toolSpec {name, inputSchema {json}}}], toolChoice {auto|any|tool {name}}}.
    private init?(converse input: JSONValue) {
        let tools: [(String, JSONValue)] = (input[path: "toolConfig", "tools"]?.array ?? []).compactMap { tool in
            tool[path: "toolSpec", "name"]?.string.map { ($0, tool[path: "toolSpec", "inputSchema", "json"] ?? .object([])) }
        }
        let choice = input[path: "toolConfig", "toolChoice"]
        let named = choice?[path: "tool", "name"]?.string
        let forced = named != nil || choice?["any"] != nil
        guard let chosen = Self.choose(tools, named: named, forced: forced, input: input) else { return nil }
        self.init(name: chosen.0, schema: chosen.1)
    }

    /// OpenAI and Mistral chat: `tools` [{type: "function", function {name, description, parameters}}],
    /// `tool_choice` "auto" | "required" | "any" | "none" | {type: "function", function: {name}}.
    private init?(openAI input: JSONValue) {
        let tools: [(String, JSONValue)] = (input["tools"]?.array ?? []).compactMap { tool in
            tool[path: "function", "name"]?.string.map { ($0, tool[path: "function", "parameters"] ?? .object([])) }
        }
        let choice = input["tool_choice"]
        if choice?.string == "none" { return nil }
        let named = choice?[path: "function", "name"]?.string
        let forced = named != nil || choice?.string == "required" || choice?.string == "any"
        guard let chosen = Self.choose(tools, named: named, forced: forced, input: input) else { return nil }
        self.init(name: chosen.0, schema: chosen.1)
    }

    private static func choose(_ tools: [(String, JSONValue)], named: String?, forced: Bool, input: JSONValue) -> (String, JSONValue)? {
        guard let first = tools.first else { return nil }
        if !forced, lastTurnIsToolResult(input) { return nil }
        if let named, let tool = tools.first(where: { $0.0 == named }) { return tool }
        return first
    }

    /// Whether the last message carries tool results: role "tool" (OpenAI, Mistral), or a
    /// `tool_result` block (Anthropic), or a `toolResult` block (Converse, Nova).
    private static func lastTurnIsToolResult(_ input: JSONValue) -> Bool {
        guard let last = input["messages"]?.array?.last else { return false }
        if last["role"]?.string == "tool" { return true }
        return (last["content"]?.array ?? []).contains { $0["type"]?.string == "tool_result" || $0["toolResult"] != nil }
    }
}
