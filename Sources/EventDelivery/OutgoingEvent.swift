/// One event as the sinks send it: a job's state change, already written as JSON by the server.
/// The webhook posts `envelope` as it is; EventBridge's PutEvents takes the parts (source, detail
/// type, resources, detail, time) and makes its own envelope around them.
public struct OutgoingEvent: Sendable {
    /// The job's region: EventBridge signs for it, so that PutEvents reaches that region's bus.
    public let region: String
    /// `aws.bedrock`.
    public let source: String
    /// `Batch Inference Job State Change`.
    public let detailType: String
    /// The job's ARN.
    public let resources: [String]
    /// The detail object as JSON text.
    public let detail: [UInt8]
    /// The event's time, ISO 8601 in UTC with `Z` (`2026-12-01T20:00:00Z`, fractions allowed).
    public let time: String
    /// The whole AWS event as JSON text: what the webhook posts.
    public let envelope: [UInt8]

    public init(region: String, source: String, detailType: String, resources: [String], detail: [UInt8], time: String, envelope: [UInt8]) {
        self.region = region
        self.source = source
        self.detailType = detailType
        self.resources = resources
        self.detail = detail
        self.time = time
        self.envelope = envelope
    }
}

/// How a sink queues and retries. The defaults suit a receiver on the same network: a short
/// connection bound, a few seconds per request, two retries spread over a second.
public struct DeliveryOptions: Sendable {
    /// Events waiting at most; an event enqueued past it is dropped (counted, logged).
    public var queueLimit = 10_000
    /// Tries per event (per PutEvents batch for EventBridge), the first included.
    public var attempts = 3
    /// The wait before the 2nd, 3rd... try; the last value repeats for later tries.
    public var backoffMilliseconds = [200, 1_000]
    public var connectTimeoutSeconds = 2
    /// One whole request, connection included.
    public var requestTimeoutSeconds = 5

    public init() {}

    /// The options refused when out of range, so that no wait is unbounded and no queue unlimited.
    func validated() throws(DeliveryError) -> DeliveryOptions {
        guard (1...10_000_000).contains(queueLimit) else { throw DeliveryError("queueLimit must be between 1 and 10,000,000 (it is \(queueLimit))") }
        guard (1...100).contains(attempts) else { throw DeliveryError("attempts must be between 1 and 100 (it is \(attempts))") }
        guard backoffMilliseconds.allSatisfy({ (0...600_000).contains($0) }) else { throw DeliveryError("each backoff must be between 0 and 600,000 ms") }
        guard (1...3_600).contains(connectTimeoutSeconds), (1...3_600).contains(requestTimeoutSeconds) else {
            throw DeliveryError("timeouts must be between 1 second and an hour")
        }
        return self
    }

    /// The wait before try `number` (2 for the first retry).
    func backoff(beforeTry number: Int) -> Int {
        guard number >= 2, let last = backoffMilliseconds.last else { return 0 }
        return number - 2 < backoffMilliseconds.count ? backoffMilliseconds[number - 2] : last
    }
}

/// What a sink has done since it was made.
public struct SinkCounters: Sendable, Equatable {
    /// Events the receiver took (2xx; for EventBridge, an entry without an error code).
    public var delivered = 0
    /// Events given up: refused, out of tries, or abandoned at shutdown.
    public var failed = 0
    /// Events not queued because the queue was full or the sink shut down.
    public var dropped = 0
    /// Extra tries: one for each retry of an event (of each event of a PutEvents batch resent).
    public var retried = 0
    /// Events waiting now, plus those in flight.
    public var queued = 0

    public init(delivered: Int = 0, failed: Int = 0, dropped: Int = 0, retried: Int = 0, queued: Int = 0) {
        self.delivered = delivered
        self.failed = failed
        self.dropped = dropped
        self.retried = retried
        self.queued = queued
    }
}

/// Why a sink cannot be made: a URL it does not take, options out of range, libcurl missing.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Where events go. A sink has one delivery thread of its own, fed by a bounded FIFO queue: events
/// leave in the order they were enqueued, one request at a time.
public protocol EventSink: AnyObject, Sendable {
    /// `webhook` or `eventbridge`.
    var name: String { get }
    /// The URL, without credentials, for logs and stats.
    var target: String { get }
    /// Queues `event` and returns at once (no I/O, a short lock). A full queue drops it: dropped
    /// goes up and a log line says so (at most one line per 10 s).
    func enqueue(_ event: OutgoingEvent)
    func counters() -> SinkCounters
    /// Waits until the queue is empty and nothing is in flight, at most `milliseconds`; true when idle.
    func waitIdle(milliseconds: Int) -> Bool
    /// Stops the delivery thread: gives in-flight work at most `milliseconds`, then abandons it (never blocks longer).
    func shutdown(milliseconds: Int)
}
