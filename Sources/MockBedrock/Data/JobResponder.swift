import BatchData
import Fixtures
import Inference
import JSON

/// Answers a job's records: the model family's response (docs/model-outputs.md), or what the first
/// matching response rule chooses (the job's own rules, then the `--responses` file's). A record the
/// model would refuse is refused whatever a rule says, as Bedrock would.
struct JobResponder: RecordResponder {
    let modelId: String
    let invocationType: InvocationType
    let family: ModelFamily
    let rules: [ResponseRule]

    init(record: JobRecord, rules: [ResponseRule]) {
        modelId = record.modelId
        invocationType = record.modelInvocationType == "Converse" ? .converse : .invokeModel
        family = ModelFamily.of(modelId: record.modelId)
        self.rules = rules
    }

    private func inference(_ batch: BatchRecord) -> InferenceRecord {
        var override: ResponseOverride?
        if !rules.isEmpty {
            let rule = rules.first { rule in
                rule.matches(recordId: batch.recordId, modelId: modelId) {
                    Inference.prompt(of: batch.modelInput, family: family, invocationType: invocationType)
                }
            }
            switch rule?.answer {
            case .text(let text)?: override = .text(text)
            case .modelOutput(let output)?: override = .modelOutput(output)
            case .error(let code, let message)?: override = .error(code: code, message: message)
            case nil: override = nil
            }
        }
        return InferenceRecord(recordId: batch.recordId, modelId: modelId, invocationType: invocationType, modelInput: batch.modelInput, override: override)
    }

    func refusal(_ batch: BatchRecord) -> (code: Int, message: String)? {
        Inference.refusal(of: inference(batch))
    }

    func answer(_ batch: BatchRecord) -> RecordAnswer {
        Inference.respond(to: inference(batch))
    }
}
