import Inference
import JSON

/// One line of a batch input: `{"recordId": "...", "modelInput": {...}}`.
public struct BatchRecord: Sendable {
    public var recordId: String
    /// False when the line had no `recordId` and the mock made one, as Bedrock does.
    public var recordIdGiven: Bool
    public var modelInput: JSONValue
    /// The record's place in the job: files in key order, lines in order, from 0.
    public var index: Int

    public init(recordId: String, recordIdGiven: Bool = true, modelInput: JSONValue, index: Int) {
        self.recordId = recordId
        self.recordIdGiven = recordIdGiven
        self.modelInput = modelInput
        self.index = index
    }

    /// True for a line of spaces and tabs only, which is not a record (Validating and the writer
    /// skip the same lines, so their record indexes agree).
    static func isBlank(_ line: [UInt8]) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// Reads a line of job `jobId`, or says in a phrase what is wrong with it ("is not valid JSON
    /// (column 3: ...)"). A record without an id gets `generatedId(jobId:index:)`.
    static func parse(_ line: [UInt8], index: Int, jobId: String) -> Result<BatchRecord, DataProblem> {
        let value: JSONValue
        do throws(JSONSyntaxError) {
            value = try JSONParser.parse(line)
        } catch {
            return .failure(DataProblem("is not valid JSON (column \(error.column): \(error.message))"))
        }
        guard case .object = value else { return .failure(DataProblem("is \(value.kindDescription), not a JSON object")) }
        var recordId: String?
        switch value["recordId"] {
        case nil, .null?: recordId = nil
        case .string(let text)?:
            guard !text.isEmpty else { return .failure(DataProblem("has an empty recordId")) }
            recordId = text
        case let other?: return .failure(DataProblem("has a recordId that is \(other.kindDescription), not a string"))
        }
        guard let modelInput = value["modelInput"] else { return .failure(DataProblem("has no modelInput")) }
        guard case .object = modelInput else { return .failure(DataProblem("has a modelInput that is \(modelInput.kindDescription), not a JSON object")) }
        return .success(BatchRecord(recordId: recordId ?? generatedId(jobId: jobId, index: index), recordIdGiven: recordId != nil, modelInput: modelInput, index: index))
    }

    /// The id Bedrock gives a record without one: 11 characters of A-Z and 0-9 (AWS: "an 11
    /// character alphanumeric string"), here drawn from the job id and the record's place so that
    /// every read of the input gives the same one.
    static func generatedId(jobId: String, index: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        var generator = SeededGenerator(seed: FNV1a.hash(jobId, String(index)))
        var id: [UInt8] = []
        for _ in 0..<11 { id.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
        return String(decoding: id, as: UTF8.self)
    }
}

/// What the mock answers for one record: the `modelOutput` or the record's error, and the tokens
/// it counts toward the manifest (0 for an error). Inference's result, whoever made it.
public typealias RecordAnswer = InferenceResult

extension InferenceResult {
    /// A record's error, which counts no tokens.
    public static func error(code: Int, message: String) -> InferenceResult {
        InferenceResult(outcome: .error(code: code, message: message), inputTokens: 0, outputTokens: 0)
    }
}

/// Decides each record's answer for one job. `refusal` must be cheap (it runs for every record
/// while Validating, to count the errors Get reports) and must agree with `answer`.
public protocol RecordResponder: Sendable {
    func refusal(_ record: BatchRecord) -> (code: Int, message: String)?
    func answer(_ record: BatchRecord) -> RecordAnswer
}
