import Fixtures
import JSON

/// A reader that waits for events: what it asked, and how long it may wait.
public struct EventWait: Sendable {
    public let query: EventQuery
    public let milliseconds: Int
}

extension MockBedrockService {
    /// The longest `wait` of `GET /_mock/events`.
    static let maxEventWaitMilliseconds: Int64 = 60_000

    /// `GET /_mock/events?job=ID|ARN&status=S[,S...]&after=N&maxResults=N&wait=5s`: the kept events
    /// the query matches, oldest first, as `{"events": [{"sequence": N, "event": {AWS's event}}],
    /// "lastSequence": N}`. With `wait` and no match yet, the server holds the answer until an event
    /// matches or the wait ends (`wait` here says so; called without a server, it answers at once).
    func listEvents(_ request: HTTPRequest) throws(AWSError) -> (response: HTTPResponse, wait: EventWait?) {
        var query = EventQuery()
        var waitMilliseconds: Int64 = 0
        for item in request.query {
            switch item.name {
            case "job":
                guard let identifier = try? JobIdentifier.parse(item.value).get() else {
                    throw .adminInput("job: expected a job id (12 characters of a-z and 0-9) or a job ARN")
                }
                query.jobId = identifier.jobId
            case "status":
                for name in item.value.split(separator: ",") {
                    guard let status = JobStatus(rawValue: String(name)) else {
                        throw .adminInput("status: expected statuses separated by commas, of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    query.statuses.insert(status)
                }
            case "after":
                guard let after = Int(item.value), after >= 0 else { throw .adminInput("after: expected a sequence number, 0 or more") }
                query.after = after
            case "maxResults":
                guard let limit = Int(item.value), limit >= 1, limit <= EventLog.defaultCapacity else {
                    throw .adminInput("maxResults: expected a number from 1 to \(EventLog.defaultCapacity)")
                }
                query.limit = limit
            case "wait":
                // A plain number is seconds; it is bounded before it is multiplied.
                let seconds = Int64(item.value).flatMap { (0...Self.maxEventWaitMilliseconds / 1000).contains($0) ? $0 * 1000 : -1 }
                guard let milliseconds = DurationText.milliseconds(item.value) ?? seconds,
                    milliseconds >= 0, milliseconds <= Self.maxEventWaitMilliseconds
                else { throw .adminInput("wait: expected a duration up to 60s, such as \"5s\" or \"500ms\"") }
                waitMilliseconds = milliseconds
            default:
                throw .adminInput("\(item.name): unknown parameter (allowed: job, status, after, maxResults, wait)")
            }
        }
        let response = eventsResponse(query)
        return (response.response, response.found == 0 && waitMilliseconds > 0 ? EventWait(query: query, milliseconds: Int(waitMilliseconds)) : nil)
    }

    /// The answer of `GET /_mock/events` for `query` as things stand, and how many events it has.
    func eventsResponse(_ query: EventQuery) -> (response: HTTPResponse, found: Int) {
        let (found, next) = events.log.events(query)
        var writer = JSONWriter(reservingCapacity: 64 + found.count * 900)
        writer.beginObject()
        writer.key("events")
        writer.beginArray()
        for event in found {
            writer.beginObject()
            writer.member("sequence", Int64(event.sequence))
            writer.key("event")
            writer.raw(event.json)
            writer.endObject()
        }
        writer.endArray()
        writer.member("lastSequence", Int64(next))
        writer.endObject()
        return (.json(writer.bytes), found.count)
    }
}
