import Fixtures
import Inference
import JSON
import MockBedrock
import S3
import ServiceModel

/// One fuzz input run through the part of mock-bedrock its first byte picks; the rest of the bytes
/// are that part's input. Every part must return normally on any bytes and keep its invariants:
/// a broken invariant stops the process (`preconditionFailure`), which libFuzzer reports with the
/// input that caused it. The same function replays the seeds in `swift test`.
public enum FuzzInput {
    public enum Part: UInt8, CaseIterable, Sendable {
        /// JSONParser (plain and streaming), and JSONWriter: what it writes parses back the same.
        case json = 0
        /// FixtureLoader: a fixture file's bytes (problems are fine, a crash is not).
        case fixture = 1
        /// A whole HTTP request (`METHOD TARGET`, header lines, an empty line, the body) answered by
        /// the service, admin API included: every answer is a status with a request id, a JSON body
        /// and, for an error, its type.
        case request = 2
        /// A string checked by the hand-written pattern matchers and the model's patterns: they must agree.
        case patterns = 3
        /// An Authorization header and a request checked by SigV4 verification.
        case sigV4 = 4
        /// One batch record answered by the Inference module, as the data plane answers it: a byte
        /// that picks the model (and, from 128 up, a Converse job), then the record's JSON line
        /// (`recordId`, `modelInput`). The answer must be JSON that reads back the same, within
        /// `Inference.outputBound`, and a refusal must be `Inference.refusal(of:)`'s.
        case batchRecord = 6
        /// An answer of an S3 endpoint: read as a ListObjectsV2 page and as an error body. Either may
        /// refuse it (InvalidResponse); a page read has no size outside 0 to 5 TiB, an error has a code.
        case s3Answer = 5
    }

    /// The part byte is read modulo one more than the largest part's number; a number no part has runs nothing.
    static let partModulus = (Part.allCases.map(\.rawValue).max() ?? 0) + 1

    /// Runs one input.
    public static func run(_ data: [UInt8]) {
        guard let first = data.first, let part = Part(rawValue: first % partModulus) else { return }
        let rest = Array(data.dropFirst())
        switch part {
        case .json: json(rest)
        case .fixture: _ = FixtureLoader.decode(rest, file: "fuzz.json", defaultSubmitTime: FuzzService.start)
        case .request: request(rest)
        case .patterns: patterns(String(decoding: rest, as: UTF8.self))
        case .sigV4: sigV4(rest)
        case .batchRecord: batchRecord(rest)
        case .s3Answer: s3Answer(rest)
        }
    }

    static func json(_ bytes: [UInt8]) {
        _ = try? JSONParser.parse(bytes, streaming: "jobs") { _, _ in }
        guard let value = try? JSONParser.parse(bytes) else { return }
        var writer = JSONWriter()
        writer.write(value)
        guard let again = try? JSONParser.parse(writer.bytes) else { preconditionFailure("JSONWriter wrote what JSONParser cannot read") }
        precondition(again == value, "a JSON value changed on a write and read")
    }

    /// The models part 6 answers for: one of each family and shape, an ARN that hides its model.
    static let models = [
        "anthropic.claude-3-5-sonnet-20240620-v1:0", "us.amazon.nova-lite-v1:0", "amazon.titan-text-express-v1", "amazon.titan-embed-text-v1",
        "amazon.titan-embed-text-v2:0", "meta.llama3-1-8b-instruct-v1:0", "mistral.mistral-7b-instruct-v0:2", "mistral.mistral-large-2407-v1:0",
        "cohere.embed-english-v3", "cohere.embed-v4:0", "openai.gpt-oss-20b-1:0", "deepseek.r1-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdefghijkl",
    ]

    static func batchRecord(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let model = models[Int(selector) % models.count]
        let invocationType: InvocationType = selector >= 128 ? .converse : .invokeModel
        let line = Array(bytes.dropFirst())
        // The line as the data plane reads it (BatchRecord.parse): an object with a modelInput object.
        guard let value = try? JSONParser.parse(line), case .object(var members)? = value["modelInput"] else { return }
        // Cohere's vectors cost the instrumented build about 25 ms a text of 1,536 dimensions: past 4
        // texts (up to the 96 Bedrock allows) only the first 4 are answered, within libFuzzer's
        // 2-second limit. OutputBoundTests answers 96.
        if let index = members.firstIndex(where: { $0.key == "texts" }), case .array(let texts) = members[index].value, (5...96).contains(texts.count) {
            members[index].value = .array(Array(texts.prefix(4)))
        }
        let input = JSONValue.object(members)
        let recordId = value["recordId"]?.stringValue ?? "fuzz-record"
        let record = InferenceRecord(recordId: recordId, modelId: model, invocationType: invocationType, modelInput: input, override: nil)
        let result = Inference.respond(to: record)
        var writer = JSONWriter()
        switch result.outcome {
        case .output(let output):
            writer.write(output)
            precondition(Inference.refusal(of: record) == nil, "an answer for a record refusal(of:) refuses")
            precondition(result.inputTokens >= 1 && result.outputTokens >= 0, "token counts \(result.inputTokens), \(result.outputTokens)")
        case .error(let code, let message):
            writer.beginObject()
            writer.key("errorCode")
            writer.integer(Int64(code))
            writer.key("errorMessage")
            writer.string(message)
            writer.endObject()
            let refusal = Inference.refusal(of: record)
            precondition(refusal?.code == code && refusal?.message == message, "respond(to:) and refusal(of:) disagree")
        }
        guard let again = try? JSONParser.parse(writer.bytes, maxDepth: 256) else { preconditionFailure("an answer that is not JSON") }
        if case .output(let output) = result.outcome { precondition(again == output, "an answer changed on a write and read") }
        let bound = Inference.outputBound(modelId: model, invocationType: invocationType).bytes(forRecordBytes: line.count)
        precondition(writer.bytes.count <= bound, "\(writer.bytes.count) bytes of answer for a line of \(line.count) (bound \(bound))")
    }

    static func s3Answer(_ bytes: [UInt8]) {
        do throws(S3Error) {
            let page = try ListObjectsPage(document: bytes)
            for object in page.objects {
                precondition((0...ListObjectsPage.maxObjectSize).contains(object.size), "a listed size of \(object.size)")
            }
        } catch {
            precondition(error.code == "InvalidResponse" || error.code == "TooLarge", "a listing refused with \(error.code)")
        }
        let error = S3Error(status: 503, body: bytes)
        precondition(!error.code.isEmpty, "an S3 error without a code")
        precondition(error.httpStatus == 503 || error.code == "TooLarge", "an S3 error without its status: \(error)")
    }

    static func request(_ bytes: [UInt8]) {
        let request = HTTPRequest(fuzzBytes: bytes)
        let service = FuzzService.shared
        let answer = service.answer(request)
        defer { FuzzService.reset() }
        // A broken connection (close, reset, stall) sends no response at all; a truncated one sends a whole response's head.
        guard answer.connectionFault == nil || answer.connectionFault == .truncate else { return }
        let response = answer.response
        precondition((200...599).contains(response.status), "status \(response.status)")
        precondition(response.header("x-amzn-RequestId") != nil, "no request id")
        if response.status >= 400 { precondition(response.header("x-amzn-ErrorType") != nil, "an error without its type") }
        guard !response.body.isEmpty else { return }
        guard let body = try? JSONParser.parse(response.body) else { preconditionFailure("a body that is not JSON") }
        if response.status == 200, let arn = body["jobArn"]?.stringValue {
            precondition(FastPatterns.isJobArn(arn), "a job ARN the model's pattern refuses: \(arn)")
        }
        precondition(!hasTimeBeyondTheYears(body), "a time outside the years 1 to 9999 in \(String(decoding: response.body, as: UTF8.self))")
    }

    /// The members of answers that hold times (jobs, summaries, the clock, the journal).
    static let timeMembers: Set<String> = ["submitTime", "lastModifiedTime", "endTime", "jobExpirationTime", "now", "time", "clock"]

    /// Whether a time member of `value` holds a year of five digits or more, `DDDDD-DD-DDT...` (boto3
    /// cannot read it). Only time members count: an error message may echo any text a request sent.
    static func hasTimeBeyondTheYears(_ value: JSONValue, isTime: Bool = false) -> Bool {
        switch value {
        case .string(let text) where isTime:
            let bytes = Array(text.utf8)
            let digits = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            guard digits >= 5, bytes.count >= digits + 7 else { return false }
            let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
            return bytes[digits] == UInt8(ascii: "-") && isDigit(bytes[digits + 1]) && isDigit(bytes[digits + 2])
                && bytes[digits + 3] == UInt8(ascii: "-") && isDigit(bytes[digits + 4]) && isDigit(bytes[digits + 5])
                && bytes[digits + 6] == UInt8(ascii: "T")
        case .array(let elements): return elements.contains { hasTimeBeyondTheYears($0) }
        case .object(let members): return members.contains { hasTimeBeyondTheYears($0.value, isTime: timeMembers.contains($0.key)) }
        default: return false
        }
    }

    static func patterns(_ text: String) {
        let identifier = ServiceModel.shape("ModelInvocationJobIdentifier").pattern!
        let arn = ServiceModel.shape("ModelInvocationJobArn").pattern!
        let name = ServiceModel.shape("ModelInvocationJobName").pattern!
        let token = ServiceModel.shape("ModelInvocationIdempotencyToken").pattern!
        precondition(FastPatterns.isJobIdentifier(text) == ShapeRules.matchesByPattern(text, pattern: identifier), "identifier matchers disagree on \(text)")
        precondition(FastPatterns.isJobArn(text) == ShapeRules.matchesByPattern(text, pattern: arn), "ARN matchers disagree on \(text)")
        // The counted patterns have thousands of DFA states: PCRE2 stays linear on them, but at about
        // a microsecond a character (far more instrumented), so it is the oracle for short values only.
        if text.utf8.count <= 300 {
            precondition(FastPatterns.isJobName(text) == ShapeRules.matchesByPattern(text, pattern: name), "name matchers disagree on \(text)")
            precondition(
                FastPatterns.isIdempotencyToken(text) == ShapeRules.matchesByPattern(text, pattern: token), "token matchers disagree on \(text)")
        }
        _ = JobIdentifier.parse(text)
        // Every pattern of the model on the same value (the fuzzer's -timeout catches a slow one).
        for shape in patternShapes { _ = ShapeRules.stringViolations(text, shape, ValuePath([.member("value")])) }
    }

    static let patternShapes = ServiceModel.shapes.values.filter { $0.pattern != nil }.sorted { $0.name < $1.name }

    static func sigV4(_ bytes: [UInt8]) {
        let request = HTTPRequest(fuzzBytes: bytes)  // header names already in lower case
        let verification = SigV4Verification(secrets: ["AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"])
        let refusal = verification.refusal(of: request, operation: "GetModelInvocationJob", accountId: "123456789012", now: FuzzService.start)
        if let refusal { precondition(refusal.status == 403, "SigV4 refused with \(refusal.status)") }
    }
}

extension HTTPRequest {
    /// A request from fuzz bytes: `METHOD TARGET` on the first line, then `name: value` lines up to
    /// an empty line, then the body. Anything missing is left empty.
    public init(fuzzBytes bytes: [UInt8]) {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 64, omittingEmptySubsequences: false)[...]
        let requestLine = lines.popFirst().map { String(decoding: $0, as: UTF8.self) } ?? ""
        let parts = requestLine.split(separator: " ", maxSplits: 1)
        let method = parts.first.map(String.init) ?? "GET"
        let target = parts.count > 1 ? String(parts[1]) : "/"
        let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
        var query: [(name: String, value: String)] = []
        if pathEnd < target.endIndex {
            for item in target[target.index(after: pathEnd)...].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((PercentEncoding.decode(pair[0], plusIsSpace: true), pair.count > 1 ? PercentEncoding.decode(pair[1], plusIsSpace: true) : ""))
            }
        }
        var headers: [(name: String, value: String)] = []
        while let line = lines.popFirst(), !line.isEmpty {
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { continue }
            headers.append((ASCII.lowercased(String(text[..<colon])), String(text[text.index(after: colon)...].drop { $0 == " " })))
        }
        let body = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        self.init(method: method, path: String(target[..<pathEnd]), query: query, headers: headers, body: body)
    }
}

/// The service the request part talks to: two jobs on a frozen clock, a small journal.
enum FuzzService {
    static let start = Timestamp(iso8601: "2026-03-01T10:00:00Z")!

    static let shared: MockBedrockService = {
        let (jobs, errors) = FixtureLoader.decode(Array(FuzzSeeds.fixture.utf8), file: "fuzz.json", defaultSubmitTime: start)
        precondition(errors.isEmpty, "the fuzz fixture is invalid: \(errors)")
        return MockBedrockService(fixtures: jobs, clockStart: start, clockRate: 0, journalSize: 16)
    }()

    /// Back to the jobs as loaded, no rules, an empty journal: each input starts from the same state.
    static func reset() {
        shared.store.reset()
        shared.faults.reset()
        shared.journal.clear()
    }
}
