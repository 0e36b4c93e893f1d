import HTTPClient
import Signing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sends events to an EventBridge bus with PutEvents (POST `/`, `X-Amz-Target: AWSEvents.PutEvents`,
/// JSON 1.1), signed with SigV4 for the service `events`. Up to 10 events go in one request, taken
/// in queue order and all of one region, since a request is signed for one region (and a bus is a
/// region's): with `region` nil each event's own, else `region` for every event.
///
/// A 2xx answer delivers the entries it has no ErrorCode for. An entry refused with
/// ThrottlingException or InternalFailure is sent again (with the batch's next try); any other
/// refusal fails it, logged with EventBridge's code and message. An answer that is not a 2xx is
/// tried again on a 5xx, a 429, a ThrottlingException or a connection failure or timeout; any
/// other fails the batch.
public final class EventBridgeSink: EventSink {
    public let name = "eventbridge"
    public let target: String
    public let busName: String
    private let line: DeliveryLine

    /// `endpoint`: http or https, no user-info, no path but `/` (`https://events.us-east-1.amazonaws.com`,
    /// moto's `http://127.0.0.1:5000`). `region`: sign for this region instead of each event's own (nil: the event's).
    public init(
        endpoint: String, busName: String, accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, region: String? = nil,
        options: DeliveryOptions = DeliveryOptions(), log: @escaping @Sendable (String) -> Void
    ) throws(DeliveryError) {
        let url: HTTPURL
        do { url = try HTTPURL(endpoint) } catch { throw DeliveryError("EventBridge endpoint \(Redacted.url(endpoint)): \(error.message)") }
        guard url.scheme == "http" || url.scheme == "https" else {
            throw DeliveryError("EventBridge endpoint \(Redacted.url(endpoint)): an http or https URL is needed")
        }
        guard !url.hasUserInfo else { throw DeliveryError("EventBridge endpoint \(Redacted.url(endpoint)): credentials (user-info) are not accepted in the URL") }
        guard url.path == "/", url.query == nil, url.fragment == nil else {
            throw DeliveryError("EventBridge endpoint \(endpoint): scheme, host and port only (PutEvents is a POST to /)")
        }
        guard !busName.isEmpty, !accessKeyId.isEmpty else { throw DeliveryError("EventBridge: a bus name and an access key id are needed") }
        guard region.map({ !$0.isEmpty }) ?? true else { throw DeliveryError("EventBridge: the signing region is empty") }
        let options = try options.validated()
        let handle: CurlHandle
        do { handle = try CurlHandle() } catch { throw DeliveryError("eventbridge: \(error.message)") }
        self.busName = busName
        target = url.origin + "/"
        line = DeliveryLine(name: name, target: target, options: options, log: log)
        let delivery = EventBridgeDelivery(
            url: url, busName: busName, region: region, handle: handle, line: line,
            signer: SigV4Signer(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken, region: "", service: "events"))
        try line.start(take: { PutEvents.batchCount($0, fixedRegion: region != nil) }, deliver: { delivery.deliver($0) })
    }

    deinit { line.shutdown(milliseconds: 0) }

    public func enqueue(_ event: OutgoingEvent) { line.enqueue(event) }
    public func counters() -> SinkCounters { line.counters() }
    public func waitIdle(milliseconds: Int) -> Bool { line.waitIdle(milliseconds: milliseconds) }
    public func shutdown(milliseconds: Int) { line.shutdown(milliseconds: milliseconds) }
}

/// EventBridge's sending, on the delivery thread only (its libcurl handle needs no lock).
private final class EventBridgeDelivery: @unchecked Sendable {
    let url: HTTPURL
    let busName: String
    let region: String?
    let handle: CurlHandle
    let line: DeliveryLine
    /// The credentials; the region is set for each batch.
    let signer: SigV4Signer
    static let maxAnswerBytes = 1 << 20

    init(url: HTTPURL, busName: String, region: String?, handle: CurlHandle, line: DeliveryLine, signer: SigV4Signer) {
        self.url = url
        self.busName = busName
        self.region = region
        self.handle = handle
        self.line = line
        self.signer = signer
    }

    /// Sends the batch, with its tries: each try resends the entries still worth sending.
    func deliver(_ batch: [OutgoingEvent]) {
        let options = line.options
        let timeouts = HTTPTimeouts(connectMilliseconds: options.connectTimeoutSeconds * 1000, totalMilliseconds: options.requestTimeoutSeconds * 1000)
        var signer = signer
        signer.region = region ?? batch.first?.region ?? ""
        var pending = batch
        var why = ""
        for number in 1...options.attempts {
            if number > 1 {
                guard line.pause(beforeTry: number) else {
                    for event in pending { line.fail(event, tries: number - 1, why + "; shut down before the next try") }
                    return
                }
                line.record(retried: pending.count)
            }
            let last = number == options.attempts
            switch send(pending, signer: signer, timeouts: timeouts) {
            case .answered(let outcomes):
                var again: [OutgoingEvent] = []
                var delivered = 0
                for (event, outcome) in zip(pending, outcomes) {
                    switch outcome {
                    case .delivered: delivered += 1
                    case .refused(let code, let message) where PutEvents.isRetriable(entryCode: code) && !last:
                        why = "entry refused: \(code): \(message)"
                        again.append(event)
                    case .refused(let code, let message): line.fail(event, tries: number, "entry refused: \(code): \(message)")
                    }
                }
                line.record(delivered: delivered)
                pending = again
                if pending.isEmpty { return }
            case .retry(let reason):
                why = reason
            case .fail(let reason):
                for event in pending { line.fail(event, tries: number, reason) }
                return
            }
        }
        for event in pending { line.fail(event, tries: options.attempts, why) }
    }

    private enum TryOutcome {
        case answered([PutEvents.EntryOutcome])
        case retry(String)
        case fail(String)
    }

    private func send(_ events: [OutgoingEvent], signer: SigV4Signer, timeouts: HTTPTimeouts) -> TryOutcome {
        let body = PutEvents.body(events, busName: busName)
        var headers = [
            (name: "host", value: url.hostField), (name: "content-type", value: "application/x-amz-json-1.1"),
            (name: "x-amz-target", value: "AWSEvents.PutEvents"),
        ]
        headers += signer.sign(method: "POST", canonicalURI: "/", query: [], headers: headers, payloadHash: Hex.encode(SHA256.hash(body)), date: Self.now())
        headers.append(("User-Agent", "mock-bedrock"))
        let exchange = HTTPExchange(method: "POST", url: url.origin + "/", headers: headers, body: body)
        let outcome: HTTPOutcome
        do {
            outcome = try handle.perform(exchange, timeouts: timeouts, limit: Self.maxAnswerBytes, stopWhen: { [line] in line.shouldAbandon() })
        } catch {
            return error.kind == .connectionFailed || error.kind == .timeout ? .retry(error.description) : .fail(error.description)
        }
        guard (200..<300).contains(outcome.status) else {
            let error = PutEvents.error(outcome.body)
            let reason = "HTTP \(outcome.status)" + (error.map { ": \($0.type): \($0.message)" } ?? "")
            let throttled = error.map { $0.type == "ThrottlingException" } ?? false
            return outcome.status >= 500 || outcome.status == 429 || throttled ? .retry(reason) : .fail(reason)
        }
        guard let outcomes = PutEvents.entryOutcomes(outcome.body, count: events.count) else {
            return .fail("HTTP \(outcome.status) with an answer that is not PutEvents' (not retried: the events may have been taken)")
        }
        return .answered(outcomes)
    }

    /// The wall-clock time, which signatures carry (AWS refuses one more than 5 minutes off).
    private static func now() -> AmzDate {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return AmzDate(secondsSince1970: Int64(time.tv_sec))
    }
}
