import JSON

/// How the job asks the model: the job's `modelInvocationType`. `Converse` jobs hold Converse
/// requests and get Converse responses whatever the model; the default holds InvokeModel bodies.
public enum InvocationType: Sendable {
    case invokeModel
    case converse
}

/// What a test's responses file chose for one record, in place of the generated answer.
public enum ResponseOverride: Sendable, Equatable {
    /// Wrap this text into the family's shape (token counts by the usual rule, no truncation).
    case text(String)
    /// Write this value as the `modelOutput`, verbatim.
    case modelOutput(JSONValue)
    /// Fail the record with this error.
    case error(code: Int, message: String)
}

/// One line of a batch input file, with what the job and the test know about it.
public struct InferenceRecord: Sendable {
    public var recordId: String
    /// The job's model: a foundation model id, an inference profile id, or an ARN of either.
    public var modelId: String
    public var invocationType: InvocationType
    public var modelInput: JSONValue
    public var override: ResponseOverride?

    public init(recordId: String, modelId: String, invocationType: InvocationType, modelInput: JSONValue, override: ResponseOverride?) {
        self.recordId = recordId
        self.modelId = modelId
        self.invocationType = invocationType
        self.modelInput = modelInput
        self.override = override
    }
}

/// What Bedrock writes for one record, and the tokens it counts for the manifest.
public struct InferenceResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The record's `modelOutput`.
        case output(JSONValue)
        /// The record's `error` (`errorCode`, `errorMessage`).
        case error(code: Int, message: String)
    }

    public var outcome: Outcome
    /// Equal to the input count in the output's usage block where it has one; 0 for an error.
    public var inputTokens: Int64
    /// Equal to the output count in the output's usage block where it has one; 0 for an error or an embedding.
    public var outputTokens: Int64

    public init(outcome: Outcome, inputTokens: Int64, outputTokens: Int64) {
        self.outcome = outcome
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
