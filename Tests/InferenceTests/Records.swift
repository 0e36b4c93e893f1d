import Inference
import JSON
import Testing

/// Records and readings shared by the inference tests.
enum Records {
    static let claude = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    static let nova = "us.amazon.nova-lite-v1:0"
    static let titanText = "amazon.titan-text-express-v1"
    static let titanEmbedV1 = "amazon.titan-embed-text-v1"
    static let titanEmbedV2 = "amazon.titan-embed-text-v2:0"
    static let llama = "meta.llama3-1-8b-instruct-v1:0"
    static let mistralText = "mistral.mistral-7b-instruct-v0:2"
    static let mistralChat = "mistral.mistral-large-2407-v1:0"
    static let cohere = "cohere.embed-english-v3"
    static let gptOSS = "openai.gpt-oss-20b-1:0"

    static func parse(_ json: String) -> JSONValue {
        do {
            return try JSONParser.parse(json)
        } catch {
            Issue.record("bad test JSON: \(error)")
            return .null
        }
    }

    static func record(
        _ modelId: String, _ json: String, converse: Bool = false, recordId: String = "rec-1", override: ResponseOverride? = nil
    ) -> InferenceRecord {
        InferenceRecord(
            recordId: recordId, modelId: modelId, invocationType: converse ? .converse : .invokeModel, modelInput: parse(json), override: override)
    }

    /// The output of a record that must succeed.
    static func output(_ record: InferenceRecord, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue {
        let result = Inference.respond(to: record)
        guard case .output(let value) = result.outcome else {
            Issue.record("expected an output, got \(result.outcome)", sourceLocation: sourceLocation)
            return .null
        }
        return value
    }

    /// The error message of a record that must fail with 400, after checking that `refusal(of:)` agrees.
    static func errorMessage(_ record: InferenceRecord, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let result = Inference.respond(to: record)
        guard case .error(let code, let message) = result.outcome else {
            Issue.record("expected an error, got \(result.outcome)", sourceLocation: sourceLocation)
            return ""
        }
        #expect(code == 400, sourceLocation: sourceLocation)
        #expect(result.inputTokens == 0 && result.outputTokens == 0, sourceLocation: sourceLocation)
        let refusal = Inference.refusal(of: record)
        #expect(refusal?.code == code && refusal?.message == message, sourceLocation: sourceLocation)
        return message
    }

    static func keys(_ value: JSONValue?) -> [String] {
        guard case .object(let members)? = value else { return [] }
        return members.map(\.key)
    }

    static func compact(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.write(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The token rule, as the tests compute it by hand.
    static func tokens(_ text: String) -> Int64 {
        Int64((text.utf8.count + 3) / 4)
    }
}

extension JSONValue {
    var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var elements: [JSONValue] {
        if case .array(let elements) = self { return elements }
        return []
    }

    var int: Int64? { int64Value }

    var double: Double? {
        if case .number(let literal) = self { return Double(literal) }
        return nil
    }
}

extension JSONValue {
    /// The member at `path`, one object level a name.
    subscript(path first: String, _ rest: String...) -> JSONValue? {
        var value = self[first]
        for name in rest { value = value?[name] }
        return value
    }
}
