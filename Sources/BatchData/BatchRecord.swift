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

    /// Reads a line, or says in a phrase what is wrong with it ("is not valid JSON (column 3: ...)").
    /// `makeId` gives the id of a record without one.
    static func parse(_ line: [UInt8], index: Int, makeId: (Int) -> String) -> Result<BatchRecord, DataProblem> {
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
        return .success(BatchRecord(recordId: recordId ?? makeId(index), recordIdGiven: recordId != nil, modelInput: modelInput, index: index))
    }

    /// The id Bedrock gives a record without one: 11 characters of A-Z and 0-9 (AWS: "an 11
    /// character alphanumeric string"), here drawn from the job id and the record's place so that
    /// every read of the input gives the same one.
    static func generatedId(jobId: String, index: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        var state = Seeded.hash(jobId) ^ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        var id: [UInt8] = []
        for _ in 0..<11 { id.append(alphabet[Int(Seeded.next(&state) % UInt64(alphabet.count))]) }
        return String(decoding: id, as: UTF8.self)
    }
}

/// A small seeded generator (SplitMix64) and hash (FNV-1a): the same job, the same picks.
enum Seeded {
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        return value
    }

    static func next(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// What the mock answers for one record: the `modelOutput` or the record's error, and the tokens
/// it counts toward the manifest (0 for an error).
public struct RecordAnswer: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case output(JSONValue)
        case error(code: Int, message: String)
    }

    public var outcome: Outcome
    public var inputTokens: Int64
    public var outputTokens: Int64

    public init(outcome: Outcome, inputTokens: Int64 = 0, outputTokens: Int64 = 0) {
        self.outcome = outcome
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// Decides each record's answer for one job. `refusal` must be cheap (it runs for every record
/// while Validating, to count the errors Get reports) and must agree with `answer`.
public protocol RecordResponder: Sendable {
    func refusal(_ record: BatchRecord) -> (code: Int, message: String)?
    func answer(_ record: BatchRecord) -> RecordAnswer
}
