import BatchData
import JSON

/// Until the model families land: a fixed text answer.
struct PlaceholderResponder: RecordResponder {
    func refusal(_ record: BatchRecord) -> (code: Int, message: String)? { nil }
    func answer(_ record: BatchRecord) -> RecordAnswer {
        RecordAnswer(outcome: .output(.object([JSONMember("outputText", .string("ok"))])), inputTokens: 1, outputTokens: 1)
    }
}
