import Fixtures
import JSON
import ServiceModel
import Sync

/// One AWS request as the mock saw and answered it.
public struct JournalEntry: Sendable, Equatable {
    /// Wall-clock time of arrival.
    public var time: Timestamp
    /// The virtual clock's time at arrival.
    public var clock: Timestamp
    public var method: String
    public var path: String
    /// The operation, nil when no route matched.
    public var operation: String?
    public var jobId: String?
    /// The HTTP status sent, nil when a connection fault answered instead.
    public var status: Int?
    public var errorCode: String?
    /// The fault rule that fired (`request` for request flags, `rate-limit` for a quota).
    public var ruleId: String?
    public var fault: String?
    public var delayMilliseconds: Int
    /// `amz-sdk-invocation-id`: the same on every attempt of one SDK call.
    public var invocationId: String?
    /// From `amz-sdk-request: attempt=N; max=M`.
    public var attempt: Int?
    public var maxAttempts: Int?

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("time", time.description)
        writer.member("clock", clock.description)
        writer.member("method", method)
        writer.member("path", path)
        writer.nullableMember("operation", operation)
        writer.nullableMember("jobId", jobId)
        writer.key("status")
        if let status { writer.integer(Int64(status)) } else { writer.null() }
        writer.nullableMember("errorCode", errorCode)
        writer.nullableMember("ruleId", ruleId)
        writer.nullableMember("fault", fault)
        writer.member("delayMs", Int64(delayMilliseconds))
        writer.nullableMember("invocationId", invocationId)
        writer.key("attempt")
        if let attempt { writer.integer(Int64(attempt)) } else { writer.null() }
        writer.key("maxAttempts")
        if let maxAttempts { writer.integer(Int64(maxAttempts)) } else { writer.null() }
        writer.endObject()
    }

    /// Reads `attempt` and `max` from an `amz-sdk-request` header such as `ttl=...; attempt=2; max=5`.
    static func attempts(_ header: String?) -> (attempt: Int?, max: Int?) {
        guard let header else { return (nil, nil) }
        var attempt: Int?
        var max: Int?
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingPrefix(" ") }
            guard pair.count == 2 else { continue }
            if pair[0] == "attempt" { attempt = Int(pair[1]) }
            if pair[0] == "max" { max = Int(pair[1]) }
        }
        return (attempt, max)
    }
}

/// The most recent requests, oldest first, in a ring of fixed size.
public final class RequestJournal: Sendable {
    private struct Ring {
        var entries: [JournalEntry] = []
        var next = 0
    }

    public let capacity: Int
    private let ring = Locked(Ring())

    public init(capacity: Int = 1000) {
        self.capacity = max(0, capacity)
    }

    func record(_ entry: JournalEntry) {
        guard capacity > 0 else { return }
        ring.withLock { ring in
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
            }
            ring.next = (ring.next + 1) % capacity
        }
    }

    public var entries: [JournalEntry] {
        ring.withLock { ring in
            ring.entries.count < capacity ? ring.entries : Array(ring.entries[ring.next...] + ring.entries[..<ring.next])
        }
    }

    public func clear() {
        ring.withLock { $0 = Ring() }
    }
}

extension JSONWriter {
    /// Writes `"name": "value"`, or `"name": null`.
    mutating func nullableMember(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }
}
