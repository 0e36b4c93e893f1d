import JSON
import LiveTestSupport
import Testing

@testable import EventDelivery

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// EventBridge's sink against a server that says what the test needs (throttling, refusals), and
/// against a real moto_server, where the events go through a rule to an SQS queue.
@Suite struct EventBridgeSinkTests {
    static func sink(_ endpoint: String, region: String? = nil, options: DeliveryOptions = Events.options(), log: LogLines = LogLines()) throws -> EventBridgeSink {
        try EventBridgeSink(endpoint: endpoint, busName: "default", accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", region: region, options: options, log: log.sink)
    }

    @Test func requestsAreSignedPutEventsCallsOfUpToTenEntries() throws {
        let receiver = try HTTPReceiver { _ in .answer(status: 200, body: #"{"FailedEntryCount": 0, "Entries": []}"#) }
        defer { receiver.close() }
        let sink = try Self.sink(receiver.url(""))
        defer { sink.shutdown(milliseconds: 1_000) }
        let events = (0..<12).map { Events.make($0) } + [Events.make(12, region: "eu-west-1")]
        for event in events { sink.enqueue(event) }
        #expect(sink.waitIdle(milliseconds: 5_000))
        #expect(sink.counters() == SinkCounters(delivered: 13))
        let requests = receiver.requests
        // One request takes what waits when the thread looks: at least three requests, none over ten entries, one region each.
        #expect(requests.count >= 3)
        var sent: [JSONValue] = []
        for request in requests {
            #expect(request.method == "POST")
            #expect(request.path == "/")
            #expect(request.headers["x-amz-target"] == "AWSEvents.PutEvents")
            #expect(request.headers["content-type"] == "application/x-amz-json-1.1")
            let authorization = request.headers["authorization"] ?? ""
            #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
            #expect(authorization.contains("/events/aws4_request"))
            guard case .array(let entries)? = try JSONParser.parse(request.body)["Entries"] else {
                Issue.record("no Entries")
                continue
            }
            #expect((1...10).contains(entries.count))
            let regions = Set(
                entries.compactMap { entry -> String? in
                    guard case .array(let resources)? = entry["Resources"], case .string(let arn)? = resources.first else { return nil }
                    return arn.split(separator: ":").dropFirst(3).first.map(String.init)
                })
            #expect(regions.count == 1)
            #expect(authorization.contains("/\(regions.first ?? "")/events/"))
            sent += entries
        }
        #expect(sent.map { $0["Resources"] } == events.map { .array([.string($0.resources[0])]) })
    }

    @Test func throttledEntriesAreSentAgainAndRefusedOnesFail() throws {
        // given: a first request answered slowly, so that the next three events wait and go together;
        // the answer to those throttles entry 1 and refuses entry 2, and the next try takes entry 1
        let one = #"{"FailedEntryCount": 0, "Entries": [{"EventId": "a"}]}"#
        let mixed =
            #"{"FailedEntryCount": 2, "Entries": [{"EventId": "b"}, {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow"}, {"ErrorCode": "InvalidArgument", "ErrorMessage": "no"}]}"#
        let receiver = try HTTPReceiver { number in
            if number == 0 { usleep(300_000) }
            return .answer(status: 200, body: number == 1 ? mixed : one)
        }
        defer { receiver.close() }
        let log = LogLines()
        let sink = try Self.sink(receiver.url(""), log: log)
        defer { sink.shutdown(milliseconds: 1_000) }
        // when
        sink.enqueue(Events.make(0))
        #expect(receiver.waitForRequests(1))
        for number in 1...3 { sink.enqueue(Events.make(number)) }
        // then
        #expect(sink.waitIdle(milliseconds: 5_000))
        #expect(sink.counters() == SinkCounters(delivered: 3, failed: 1, retried: 1))
        let entries = receiver.requests.map { request -> Int in
            guard case .array(let entries)? = try? JSONParser.parse(request.body)["Entries"] else { return 0 }
            return entries.count
        }
        #expect(entries == [1, 3, 1])
        #expect(log.all.count == 1)
        #expect(log.all.first?.contains("job3 failed after 1 try: entry refused: InvalidArgument: no") == true, "\(log.all)")
    }

    @Test func aThrottledCallIsTriedAgainAndABadRequestIsNot() throws {
        let receiver = try HTTPReceiver { number in
            switch number {
            case 0: .answer(status: 400, body: #"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#)
            case 1: .answer(status: 200, body: #"{"FailedEntryCount": 0, "Entries": [{"EventId": "a"}]}"#)
            default: .answer(status: 400, body: #"{"__type": "ValidationException", "message": "bad"}"#)
            }
        }
        defer { receiver.close() }
        let log = LogLines()
        let sink = try Self.sink(receiver.url(""), log: log)
        defer { sink.shutdown(milliseconds: 1_000) }
        sink.enqueue(Events.make(0))
        #expect(sink.waitIdle(milliseconds: 5_000))
        sink.enqueue(Events.make(1))
        #expect(sink.waitIdle(milliseconds: 5_000))
        #expect(sink.counters() == SinkCounters(delivered: 1, failed: 1, retried: 1))
        #expect(receiver.requests.count == 3)
        #expect(log.all.first?.contains("HTTP 400: ValidationException: bad") == true, "\(log.all)")
    }

    @Test func endpointsAreRefusedUnlessPlainHTTPOrigins() {
        for endpoint in ["ftp://127.0.0.1", "http://user:pw@127.0.0.1", "http://127.0.0.1/path", "http://127.0.0.1/?q", "nothing"] {
            #expect(throws: DeliveryError.self, "\(endpoint)") { try Self.sink(endpoint) }
        }
        #expect(throws: DeliveryError.self) { try EventBridgeSink(endpoint: "http://127.0.0.1", busName: "", accessKeyId: "a", secretAccessKey: "s", log: { _ in }) }
        #expect((try? Self.sink("http://127.0.0.1:4010/"))?.target == "http://127.0.0.1:4010/")
    }

    @Test func eventsReachAnSQSQueueThroughARuleOnMoto() throws {
        let moto = try MotoServer.start()
        defer { moto.stop() }
        // given a rule on the default bus that sends aws.bedrock events to a queue
        _ = try moto.python(
            """
            import boto3, json
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            queue = boto3.client("sqs", **kw).create_queue(QueueName="bedrock-events")["QueueUrl"]
            events = boto3.client("events", **kw)
            events.put_rule(Name="bedrock", EventPattern=json.dumps({"source": ["aws.bedrock"]}))
            events.put_targets(Rule="bedrock", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:bedrock-events"}])
            print(queue)
            """)
        let log = LogLines()
        let sink = try Self.sink(moto.endpoint, log: log)
        defer { sink.shutdown(milliseconds: 1_000) }
        // when
        let events = (0..<4).map { Events.make($0, status: "Completed") }
        for event in events { sink.enqueue(event) }
        let malformed = OutgoingEvent(
            region: "us-east-1", source: "aws.bedrock", detailType: "Batch Inference Job State Change", resources: ["arn:bad"], detail: Array("{not json".utf8),
            time: "2026-12-01T20:00:00Z", envelope: [])
        sink.enqueue(malformed)
        // then
        #expect(sink.waitIdle(milliseconds: 10_000))
        #expect(sink.counters() == SinkCounters(delivered: 4, failed: 1))
        #expect(log.all.first?.contains("MalformedDetail") == true, "\(log.all)")
        let received = try moto.python(
            """
            import boto3, json
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            sqs = boto3.client("sqs", **kw)
            url = sqs.get_queue_url(QueueName="bedrock-events")["QueueUrl"]
            seen = []
            for _ in range(10):
                for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                    body = json.loads(message["Body"])
                    seen.append((body["resources"][0], body["detail-type"], body["detail"]["status"]))
                if len(seen) >= 4:
                    break
            for resource, detail_type, status in sorted(seen):
                print(resource, detail_type.replace(" ", "_"), status)
            """)
        let lines = received.split(separator: "\n").map(String.init)
        #expect(lines == events.map { "\($0.resources[0]) Batch_Inference_Job_State_Change Completed" }.sorted(), "\(received)")
    }
}
