import Fixtures
import Inference
import JSON
import ServiceModel

/// One "Batch Inference Job State Change" event: a job entered `status` at clock instant `at`.
/// Its JSON is AWS's (docs/events.md; the user guide's page "Monitor Amazon Bedrock job state
/// changes using Amazon EventBridge").
public struct JobEvent: Sendable {
    /// The place in the event log, from 1, assigned when the event is delivered; never reused, also across resets.
    public internal(set) var sequence: Int = 0
    public let jobArn: JobARN
    public let jobName: String
    public let modelId: String
    public let status: JobStatus
    /// Why the job failed, expired or ended partly done; nil otherwise (sent as "", like AWS's sample).
    public let message: String?
    /// The clock instant of the change.
    public let at: Int64
    /// The job's submit time.
    public let creationTime: Int64
    /// The envelope's `id`: a UUID drawn from the job, the status and the instant, so that runs that
    /// do the same thing send the same ids.
    public var id: String { Self.uuid(FNV1a.hash(jobArn.description, status.rawValue, String(at))) }

    public static let source = "aws.bedrock"
    public static let detailType = "Batch Inference Job State Change"

    public init(jobArn: JobARN, jobName: String, modelId: String, change: StatusChange, creationTime: Int64) {
        self.jobArn = jobArn
        self.jobName = jobName
        self.modelId = modelId
        self.status = change.status
        self.message = change.message
        self.at = change.at
        self.creationTime = creationTime
    }

    /// The event as AWS's JSON. Made when asked (a read of the log, a sink), not kept: the log holds
    /// 10,000 events, and a clock jump over many jobs makes tens of thousands in one round.
    public var json: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 900)
        writer.beginObject()
        writer.member("version", "0")
        writer.member("id", id)
        writer.member("detail-type", Self.detailType)
        writer.member("source", Self.source)
        writer.member("account", jobArn.accountId)
        writer.member("time", Self.isoSeconds(at))
        writer.member("region", jobArn.region)
        writer.key("resources")
        writer.beginArray()
        writer.string(jobArn.description)
        writer.endArray()
        writer.key("detail")
        writer.raw(detail)
        writer.endObject()
        return writer.bytes
    }

    /// The `detail` object as JSON text.
    public var detail: [UInt8] {
        Self.detail(jobArn: jobArn, jobName: jobName, modelId: modelId, change: StatusChange(status: status, at: at, message: message), creationTime: creationTime)
    }

    private static func detail(jobArn: JobARN, jobName: String, modelId: String, change: StatusChange, creationTime: Int64) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.beginObject()
        writer.member("version", "0.0")
        writer.member("accountId", jobArn.accountId)
        writer.member("batchJobName", jobName)
        writer.member("batchJobArn", jobArn.description)
        writer.member("batchModelId", modelArn(modelId, of: jobArn))
        writer.member("status", change.status.rawValue)
        writer.member("failureMessage", change.message ?? "")
        writer.member("creationTime", consoleTime(creationTime))
        writer.endObject()
        return writer.bytes
    }

    /// The event's `time` as EventBridge writes it in every event it delivers: ISO 8601 to the second, UTC.
    /// (AWS's Bedrock sample shows "Wed Aug 28 22:58:30 UTC 2024", which no EventBridge event carries.)
    public static func isoSeconds(_ milliseconds: Int64) -> String {
        var stamp = Timestamp(milliseconds: milliseconds)
        stamp.fractionDigits = 0
        return stamp.description
    }

    /// `creationTime` in the form of AWS's sample, "Aug 28, 2024, 10:47:53 PM" (UTC, a 12-hour clock).
    public static func consoleTime(_ milliseconds: Int64) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        // The ISO text has fixed places: YYYY-MM-DDTHH:MM:SSZ (years 1-9999, the clock's range).
        let iso = Array(isoSeconds(milliseconds).utf8)
        func number(_ range: Range<Int>) -> Int { iso[range].reduce(0) { $0 * 10 + Int($1 &- 48) } }
        guard iso.count == 20 else { return isoSeconds(milliseconds) }
        let (year, month, day, hour) = (number(0..<4), number(5..<7), number(8..<10), number(11..<13))
        let clock = hour % 12 == 0 ? 12 : hour % 12
        let minutesSeconds = String(decoding: iso[13..<19], as: UTF8.self)
        return "\(months[max(0, min(11, month - 1))]) \(day), \(year), \(clock)\(minutesSeconds) \(hour < 12 ? "AM" : "PM")"
    }

    /// The model as an ARN, like AWS's sample (`arn:aws:bedrock:us-east-1::foundation-model/...`): an
    /// ARN stays as it is, an inference profile id (a geography prefix such as `us.`) becomes the
    /// profile's ARN, any other id a foundation model's ARN.
    public static func modelArn(_ modelId: String, of job: JobARN) -> String {
        if modelId.hasPrefix("arn:") { return modelId }
        let prefix = modelId.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        if ["us", "eu", "apac", "us-gov", "global", "jp", "au", "ca"].contains(prefix) {
            return "arn:\(job.partition):bedrock:\(job.region):\(job.accountId):inference-profile/\(modelId)"
        }
        return "arn:\(job.partition):bedrock:\(job.region)::foundation-model/\(modelId)"
    }

    /// A version 4 UUID from 64 bits (the other 58 random bits are drawn from them).
    static func uuid(_ seed: UInt64) -> String {
        var generator = SeededGenerator(seed: seed)
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { byte in String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}
