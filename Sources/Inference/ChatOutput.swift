import JSON

/// The response bodies of the chat formats, member for member as AWS's pages show them:
/// "Anthropic Claude Messages API", "Amazon Nova" (Response structure highlights), the Converse API
/// reference, "OpenAI models", "Mistral AI chat completion".
enum ChatOutput {
    /// The fixed `created` time of chat completions: 2025-01-01T00:00:00Z, so that the bytes do not
    /// change from run to run.
    static let created: Int64 = 1_735_689_600

    /// Anthropic Messages: {id, type, role, model, content, stop_reason, stop_sequence, usage}.
    static func anthropic(_ reply: Reply, model: String, generator: inout SeededGenerator) -> JSONValue {
        let id = TextGenerator.anthropicId(prefix: "msg_bdrk_", &generator)
        let block: JSONValue
        switch reply.body {
        case .text(let text):
            block = .fields(["type": .string("text"), "text": .string(text)])
        case .tool(let name, let input, _):
            let toolId = TextGenerator.anthropicId(prefix: "toolu_bdrk_", &generator)
            block = .fields(["type": .string("tool_use"), "id": .string(toolId), "name": .string(name), "input": input])
        }
        return .fields([
            "id": .string(id), "type": .string("message"), "role": .string("assistant"), "model": .string(anthropicModel(model)),
            "content": .array([block]), "stop_reason": .string(reply.stopReason("end_turn", "max_tokens", "tool_use")),
            "stop_sequence": .null,
            "usage": .fields(["input_tokens": .integer(reply.inputTokens), "output_tokens": .integer(reply.outputTokens)]),
        ])
    }

    /// Claude's name inside the Bedrock id, as Claude on Bedrock writes `model`:
    /// "anthropic.claude-3-5-sonnet-20240620-v1:0" gives "claude-3-5-sonnet-20240620".
    static func anthropicModel(_ base: String) -> String {
        var name = Substring(base)
        if name.hasPrefix("anthropic.") { name = name.dropFirst("anthropic.".count) }
        // Drop a version suffix "-v<digits>[:<digits>]" where a name remains before it.
        if let dash = name.lastIndex(of: "-"), name[..<dash].contains("-") {
            let suffix = name[name.index(after: dash)...]
            let isVersion = suffix.first == "v" && suffix.dropFirst().allSatisfy { $0.isASCII && ($0.isNumber || $0 == ":") } && suffix.count > 1
            if isVersion { name = name[..<dash] }
        }
        return String(name)
    }

    /// Nova on InvokeModel and every model on Converse: {output {message}, stopReason, usage} (and
    /// `metrics` for Converse; the cache counts for Nova, which its InvokeModel bodies carry).
    static func converse(_ reply: Reply, nova: Bool, generator: inout SeededGenerator) -> JSONValue {
        let block: JSONValue
        switch reply.body {
        case .text(let text):
            block = .fields(["text": .string(text)])
        case .tool(let name, let input, _):
            let toolUseId = "tooluse_" + TextGenerator.characters(22, of: TextGenerator.base64URL, &generator)
            block = .fields(["toolUse": .fields(["toolUseId": .string(toolUseId), "name": .string(name), "input": input])])
        }
        var usage = [
            JSONMember("inputTokens", .integer(reply.inputTokens)), JSONMember("outputTokens", .integer(reply.outputTokens)),
            JSONMember("totalTokens", .integer(reply.inputTokens + reply.outputTokens)),
        ]
        if nova {
            usage.append(JSONMember("cacheReadInputTokenCount", .integer(0)))
            usage.append(JSONMember("cacheWriteInputTokenCount", .integer(0)))
        }
        var members = [
            JSONMember("output", .fields(["message": .fields(["role": .string("assistant"), "content": .array([block])])])),
            JSONMember("stopReason", .string(reply.stopReason("end_turn", "max_tokens", "tool_use"))),
            JSONMember("usage", .object(usage)),
        ]
        // Converse reports the latency; ours is a fixed function of the output: 100 ms + 10 ms a token.
        if !nova { members.append(JSONMember("metrics", .fields(["latencyMs": .integer(100 + 10 * reply.outputTokens)]))) }
        return .object(members)
    }

    /// OpenAI chat completion (gpt-oss, DeepSeek, Qwen): {id, object, created, model, choices, usage}.
    static func openAI(_ reply: Reply, model: String, generator: inout SeededGenerator) -> JSONValue {
        let id = "chatcmpl-" + TextGenerator.characters(32, of: TextGenerator.hexDigits, &generator)
        var message = [JSONMember("role", .string("assistant"))]
        switch reply.body {
        case .text(let text):
            message.append(JSONMember("content", .string(text)))
        case .tool(let name, let input, let arguments):
            message.append(JSONMember("content", .null))
            let callId = "call_" + TextGenerator.characters(24, of: TextGenerator.base62, &generator)
            message.append(JSONMember("tool_calls", .array([toolCall(id: callId, name: name, arguments: arguments, input: input)])))
        }
        let choice: JSONValue = .fields([
            "index": .integer(0), "message": .object(message), "finish_reason": .string(reply.stopReason("stop", "length", "tool_calls")),
        ])
        return .fields([
            "id": .string(id), "object": .string("chat.completion"), "created": .integer(created), "model": .string(model),
            "choices": .array([choice]),
            "usage": .fields([
                "prompt_tokens": .integer(reply.inputTokens), "completion_tokens": .integer(reply.outputTokens),
                "total_tokens": .integer(reply.inputTokens + reply.outputTokens),
            ]),
        ])
    }

    /// Mistral chat completion as AWS's "Mistral AI chat completion" page gives it: {choices [{index,
    /// message {role, content, tool_calls}, stop_reason}]}; `content` is "" beside tool calls.
    static func mistralChat(_ reply: Reply, generator: inout SeededGenerator) -> JSONValue {
        var message = [JSONMember("role", .string("assistant"))]
        switch reply.body {
        case .text(let text):
            message.append(JSONMember("content", .string(text)))
        case .tool(let name, let input, let arguments):
            message.append(JSONMember("content", .string("")))
            let callId = TextGenerator.characters(22, of: TextGenerator.base62, &generator)
            message.append(JSONMember("tool_calls", .array([toolCall(id: callId, name: name, arguments: arguments, input: input)])))
        }
        let choice: JSONValue = .fields([
            "index": .integer(0), "message": .object(message), "stop_reason": .string(reply.stopReason("stop", "length", "tool_calls")),
        ])
        return .fields(["choices": .array([choice])])
    }

    private static func toolCall(id: String, name: String, arguments: String?, input: JSONValue) -> JSONValue {
        let arguments = arguments ?? JSONWalk.text(input)
        return .fields(["id": .string(id), "type": .string("function"), "function": .fields(["name": .string(name), "arguments": .string(arguments)])])
    }
}
