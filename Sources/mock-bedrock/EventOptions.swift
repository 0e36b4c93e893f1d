import ArgumentParser
import EventDelivery
import MockBedrock

/// The lifecycle events' flags: where events go besides `GET /_mock/events` (docs/events.md).
struct EventOptions: ParsableArguments {
    @Option(name: .customLong("events-url"), help: "POST each lifecycle event as JSON to this http(s) URL. (MOCK_BEDROCK_EVENTS_URL)")
    var url: String?

    @Option(
        name: .customLong("eventbridge-endpoint"),
        help: "Send lifecycle events with PutEvents to this EventBridge-compatible endpoint (moto, LocalStack). (MOCK_BEDROCK_EVENTBRIDGE_ENDPOINT)")
    var eventBridgeEndpoint: String?

    @Option(name: .customLong("event-bus"), help: "The event bus PutEvents names. (MOCK_BEDROCK_EVENT_BUS)")
    var eventBus = "default"

    @Option(
        name: .customLong("eventbridge-credentials"),
        help: ArgumentHelp(
            "KEY:SECRET to sign PutEvents with (default: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). (MOCK_BEDROCK_EVENTBRIDGE_CREDENTIALS)",
            valueName: "key:secret"))
    var credentials: CredentialArgument?

    @Option(name: .customLong("eventbridge-region"), help: "The region PutEvents is signed for (default: the job's). (MOCK_BEDROCK_EVENTBRIDGE_REGION)")
    var region: String?

    @Option(name: .customLong("events-queue"), parsing: .unconditional, help: "Events each sink holds while it cannot send; more are dropped. (MOCK_BEDROCK_EVENTS_QUEUE)")
    var queueLimit = DeliveryOptions().queueLimit

    static let environmentOptions: [(variable: String, option: String)] = [
        ("MOCK_BEDROCK_EVENTS_URL", "--events-url"),
        ("MOCK_BEDROCK_EVENTBRIDGE_ENDPOINT", "--eventbridge-endpoint"),
        ("MOCK_BEDROCK_EVENT_BUS", "--event-bus"),
        ("MOCK_BEDROCK_EVENTBRIDGE_CREDENTIALS", "--eventbridge-credentials"),
        ("MOCK_BEDROCK_EVENTBRIDGE_REGION", "--eventbridge-region"),
        ("MOCK_BEDROCK_EVENTS_QUEUE", "--events-queue"),
    ]

    func validate() throws {
        guard (1...1_000_000).contains(queueLimit) else { throw ValidationError("--events-queue must be from 1 to 1000000") }
        if eventBus.isEmpty || eventBus.utf8.count > 1600 { throw ValidationError("--event-bus must be 1 to 1600 characters") }
        if let region, !ServerConfiguration.isRegionName(region) {
            throw ValidationError("--eventbridge-region must be 1 to 20 characters of a-z, 0-9 and -")
        }
        if eventBridgeEndpoint == nil, credentials != nil || region != nil {
            throw ValidationError("--eventbridge-credentials and --eventbridge-region need --eventbridge-endpoint")
        }
    }

    /// The sinks the flags ask for, as the server's outlets; `log` takes their log lines.
    func outlets(log: @escaping @Sendable (String) -> Void) throws(DeliveryError) -> [EventOutlet] {
        var options = DeliveryOptions()
        options.queueLimit = queueLimit
        var sinks: [any EventSink] = []
        if let url { sinks.append(try WebhookSink(url: url, options: options, log: log)) }
        if let endpoint = eventBridgeEndpoint {
            // The flag's pair, else the standard AWS variables, as the S3 endpoint's requests are signed.
            let environment = AWSEnvironment.process
            guard let (key, secret) = credentials.map({ ($0.accessKeyId, $0.secret) }) ?? environment.credentials else {
                throw DeliveryError(
                    "cannot use --eventbridge-endpoint: no credentials to sign PutEvents with: pass --eventbridge-credentials KEY:SECRET or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                )
            }
            sinks.append(
                try EventBridgeSink(
                    endpoint: endpoint, busName: eventBus, accessKeyId: key, secretAccessKey: secret,
                    sessionToken: credentials == nil ? environment.sessionToken : nil, region: region, options: options, log: log))
        }
        return sinks.map(Self.outlet)
    }

    /// A sink as the server's outlet: each event in the form the sinks take, with only the JSON the
    /// sink sends (the webhook the whole event, EventBridge its detail): a full queue of 10,000 holds
    /// about half the memory.
    static func outlet(_ sink: any EventSink) -> EventOutlet {
        let wholeEvent = sink is WebhookSink
        return EventOutlet(
            name: sink.name, target: sink.target,
            send: { event in
                sink.enqueue(
                    OutgoingEvent(
                        region: event.jobArn.region, source: JobEvent.source, detailType: JobEvent.detailType, resources: [event.jobArn.description],
                        detail: wholeEvent ? [] : event.detail, time: JobEvent.isoSeconds(event.at), envelope: wholeEvent ? event.json : []))
            },
            counters: {
                let counters = sink.counters()
                return [
                    ("delivered", counters.delivered), ("failed", counters.failed), ("dropped", counters.dropped), ("retried", counters.retried),
                    ("queued", counters.queued),
                ]
            },
            waitIdle: { sink.waitIdle(milliseconds: $0) }, shutdown: { sink.shutdown(milliseconds: $0) })
    }
}
