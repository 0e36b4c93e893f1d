import BatchData
import Fixtures
import JSON

/// Answers a job's records: the first response rule that matches (the job's own, then the
/// `--responses` file's), else the model family's shape (docs/model-outputs.md).
struct JobResponder: RecordResponder {
    let record: JobRecord
    let rules: [ResponseRule]

    func rule(for batch: BatchRecord) -> ResponseRule? {
        rules.first { $0.matches(recordId: batch.recordId, modelId: record.modelId, prompt: { promptText(batch.modelInput) }) }
    }

    func refusal(_ batch: BatchRecord) -> (code: Int, message: String)? {
        if let rule = rule(for: batch) {
            if case .error(let code, let message) = rule.answer { return (code, message) }
            return nil
        }
        return nil
    }

    func answer(_ batch: BatchRecord) -> RecordAnswer {
        switch rule(for: batch)?.answer {
        case .error(let code, let message)?: return RecordAnswer(outcome: .error(code: code, message: message))
        case .modelOutput(let output)?: return RecordAnswer(outcome: .output(output), inputTokens: 1, outputTokens: 1)
        case .text(let text)?: return RecordAnswer(outcome: .output(.object([JSONMember("outputText", .string(text))])), inputTokens: 1, outputTokens: 1)
        case nil: return RecordAnswer(outcome: .output(.object([JSONMember("outputText", .string("ok"))])), inputTokens: 1, outputTokens: 1)
        }
    }

    func promptText(_ input: JSONValue) -> String { "" }
}
