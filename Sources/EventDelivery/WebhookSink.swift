import HTTPClient

/// Posts each event's envelope to a URL, one request per event, in the order enqueued:
/// `Content-Type: application/json`, `User-Agent: mock-bedrock`. Any 2xx delivers it, from its
/// status line on (a body that then stalls or breaks off does not undo it); a connection failure,
/// a timeout, a 5xx or a 429 is tried again (up to `attempts` tries, with the backoff between);
/// any other status fails it at once.
public final class WebhookSink: EventSink {
    public let name = "webhook"
    public let target: String
    private let line: DeliveryLine

    /// `url`: http or https, without user-info (credentials in a URL would end up in logs and
    /// stats). The request goes to it as libcurl normalises it.
    public init(url: String, options: DeliveryOptions = DeliveryOptions(), log: @escaping @Sendable (String) -> Void) throws(DeliveryError) {
        let parsed: HTTPURL
        do { parsed = try HTTPURL(url) } catch { throw DeliveryError("webhook URL \(Redacted.url(url)): \(error.message)") }
        guard parsed.scheme == "http" || parsed.scheme == "https" else { throw DeliveryError("webhook URL \(Redacted.url(url)): an http or https URL is needed") }
        guard !parsed.hasUserInfo else { throw DeliveryError("webhook URL \(Redacted.url(url)): credentials (user-info) are not accepted in the URL") }
        let options = try options.validated()
        let handle: CurlHandle
        do { handle = try CurlHandle() } catch { throw DeliveryError("webhook: \(error.message)") }
        target = parsed.text
        line = DeliveryLine(name: name, target: parsed.text, options: options, log: log)
        let delivery = WebhookDelivery(url: parsed.text, handle: handle, line: line)
        try line.start(take: { _ in 1 }, deliver: { delivery.deliver($0) })
    }

    deinit { line.shutdown(milliseconds: 0) }

    public func enqueue(_ event: OutgoingEvent) { line.enqueue(event) }
    public func counters() -> SinkCounters { line.counters() }
    public func waitIdle(milliseconds: Int) -> Bool { line.waitIdle(milliseconds: milliseconds) }
    public func shutdown(milliseconds: Int) { line.shutdown(milliseconds: milliseconds) }
}

/// The webhook's sending, on the delivery thread only (which is why its libcurl handle, reused
/// from request to request with its connection, needs no lock).
private final class WebhookDelivery: @unchecked Sendable {
    let url: String
    let handle: CurlHandle
    /// Unowned would do as well: the line outlives the thread that calls `deliver`.
    let line: DeliveryLine
    /// The most of an answer's body read (a 2xx body is read and dropped, never gathered).
    static let maxErrorBody = 64 << 10

    init(url: String, handle: CurlHandle, line: DeliveryLine) {
        self.url = url
        self.handle = handle
        self.line = line
    }

    func deliver(_ events: [OutgoingEvent]) {
        for event in events { deliver(event) }
    }

    private func deliver(_ event: OutgoingEvent) {
        let options = line.options
        let exchange = HTTPExchange(
            method: "POST", url: url, headers: [("Content-Type", "application/json"), ("User-Agent", "mock-bedrock")], body: event.envelope)
        let timeouts = HTTPTimeouts(connectMilliseconds: options.connectTimeoutSeconds * 1000, totalMilliseconds: options.requestTimeoutSeconds * 1000)
        var why = ""
        for number in 1...options.attempts {
            if number > 1 {
                guard line.pause(beforeTry: number) else {
                    line.fail(event, tries: number - 1, why + "; shut down before the next try")
                    return
                }
                line.record(retried: 1)
            }
            let retry: Bool
            do {
                let outcome = try handle.perform(exchange, timeouts: timeouts, limit: Self.maxErrorBody, onChunk: { _ in true }, stopWhen: { [line] in line.shouldAbandon() })
                if (200..<300).contains(outcome.status) {
                    line.record(delivered: 1)
                    return
                }
                why = "HTTP \(outcome.status)"
                retry = outcome.status >= 500 || outcome.status == 429
            } catch {
                // A 2xx status line delivered the event, whatever became of the body after it (a
                // receiver that stalls or hangs up there has the event: sending it again would repeat it).
                if let status = error.status, (200..<300).contains(status) {
                    line.record(delivered: 1)
                    return
                }
                why = error.description
                retry = error.kind == .connectionFailed || error.kind == .timeout
            }
            if !retry {
                line.fail(event, tries: number, why)
                return
            }
        }
        line.fail(event, tries: options.attempts, why)
    }
}

/// URLs as error messages show them: without what may be credentials.
enum Redacted {
    /// The URL with anything between `://` and an `@` before the first `/` replaced by `***`.
    static func url(_ text: String) -> String {
        guard let schemeEnd = text.firstRange(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound]) + "***" + String(text[at...])
    }
}
