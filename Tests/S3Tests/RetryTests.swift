import Dispatch
import LiveTestSupport
import Synchronization
import Testing

@testable import S3

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Retries as AWS's SDKs make them (standard mode): what is tried again, how often, what the
/// observer hears; and the caller's stop, before, during and between attempts. Every server is a
/// scripted one on 127.0.0.1; waits between attempts are a millisecond unless a test needs more.
@Suite struct RetryTests {
    /// What `onRetry` heard.
    final class Reports: Sendable {
        private let list = Mutex<[S3Retry]>([])
        var all: [S3Retry] { list.withLock { $0 } }
        var observer: @Sendable (S3Retry) -> Void { { [self] retry in list.withLock { $0.append(retry) } } }
    }

    /// A flag another thread raises: the caller's stop condition.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func raise() { value.store(true, ordering: .sequentiallyConsistent) }
        var isRaised: Bool { value.load(ordering: .sequentiallyConsistent) }
        var condition: @Sendable () -> Bool { { [self] in isRaised } }
    }

    static func client(
        _ server: ScriptedHTTPServer, maxAttempts: Int = 3, baseMilliseconds: Int = 1, requestTimeoutSeconds: Int = 60, reports: Reports? = nil
    ) throws -> S3Client {
        try S3Client(
            S3Configuration(
                endpoint: server.endpoint, region: "us-east-1", accessKeyId: "AKID", secretAccessKey: "secret", connectTimeoutSeconds: 2,
                requestTimeoutSeconds: requestTimeoutSeconds, maxAttempts: maxAttempts, retryBaseDelayMilliseconds: baseMilliseconds,
                retryMaxDelayMilliseconds: max(baseMilliseconds, 2), onRetry: reports?.observer))
    }

    static let listing = ScriptedHTTPServer.answer(
        200,
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>false</IsTruncated><Contents><Key>in/a.jsonl</Key><Size>7</Size></Contents></ListBucketResult>"
    )

    @Test func throttlingAndServerErrorsAreRetriedAndEachRetryIsReported() throws {
        // given: SlowDown, then an InternalError, then the listing
        let server = try ScriptedHTTPServer { number, _ in
            .send([ScriptedHTTPServer.s3Error(503, "SlowDown"), ScriptedHTTPServer.s3Error(500, "InternalError"), Self.listing][min(number, 2)])
        }
        defer { server.close() }
        let reports = Reports()
        let client = try Self.client(server, reports: reports)
        // when
        let objects = try client.listObjects(bucket: "b", prefix: "in/")
        // then
        #expect(objects == [S3Object(key: "in/a.jsonl", size: 7)])
        #expect(server.requests.count == 3)
        let heard = reports.all
        #expect(heard.map(\.operation) == ["ListObjectsV2", "ListObjectsV2"])
        #expect(heard.map(\.bucket) == ["b", "b"])
        #expect(heard.map(\.key) == [nil, nil])
        #expect(heard.map(\.attempt) == [1, 2])
        #expect(heard.map(\.reason) == ["SlowDown (HTTP 503)", "InternalError (HTTP 500)"])
    }

    @Test func theAttemptsAreBoundedAndOneAttemptMeansNoRetry() throws {
        for (attempts, expected) in [(3, 3), (1, 1), (5, 5)] {
            let server = try ScriptedHTTPServer { _, _ in .send(ScriptedHTTPServer.s3Error(503, "ServiceUnavailable")) }
            defer { server.close() }
            let reports = Reports()
            let client = try Self.client(server, maxAttempts: attempts, reports: reports)
            let error = #expect(throws: S3Error.self) { try client.listObjects(bucket: "b", prefix: "") }
            #expect(error?.code == "ServiceUnavailable")
            #expect(error?.httpStatus == 503)
            #expect(server.requests.count == expected, "\(attempts) attempts")
            #expect(reports.all.count == expected - 1)
        }
    }

    /// Each answer comes first, then a success: a retried one makes two requests, the others one.
    @Test(arguments: [
        (400, "RequestTimeout", true), (400, "ThrottlingException", true), (400, "Throttling", true), (503, "SlowDown", true),
        (429, "TooManyRequests", true), (502, "BadGateway", true), (504, "GatewayTimeout", true), (400, "PriorRequestNotComplete", true),
        (403, "RequestTimeTooSkewed", false), (403, "AccessDenied", false), (404, "NoSuchBucket", false), (400, "InvalidArgument", false),
        (501, "NotImplemented", false), (409, "OperationAborted", false),
    ])
    func whatIsRetried(status: Int, code: String, retried: Bool) throws {
        let server = try ScriptedHTTPServer { number, _ in .send(number == 0 ? ScriptedHTTPServer.s3Error(status, code) : Self.listing) }
        defer { server.close() }
        let client = try Self.client(server, maxAttempts: 2)
        if retried {
            #expect(try client.listObjects(bucket: "b", prefix: "").count == 1)
            #expect(server.requests.count == 2)
        } else {
            let error = #expect(throws: S3Error.self) { try client.listObjects(bucket: "b", prefix: "") }
            #expect(error?.code == code)
            #expect(server.requests.count == 1)
        }
    }

    @Test func aBodilessServerErrorOfAHeadIsRetried() throws {
        let server = try ScriptedHTTPServer { number, _ in
            .send(number == 0 ? ScriptedHTTPServer.answer(503) : Array("HTTP/1.1 200 OK\r\nContent-Length: 42\r\nConnection: close\r\n\r\n".utf8))
        }
        defer { server.close() }
        let reports = Reports()
        let client = try Self.client(server, reports: reports)
        #expect(try client.headObject(bucket: "b", key: "in/x.jsonl") == S3Object(key: "in/x.jsonl", size: 42))
        #expect(reports.all.map(\.reason) == ["ServiceUnavailable (HTTP 503)"])
        #expect(reports.all.first?.operation == "HeadObject")
        #expect(reports.all.first?.key == "in/x.jsonl")
    }

    @Test func aResetConnectionIsRetried() throws {
        let server = try ScriptedHTTPServer { number, _ in number == 0 ? .reset : .send(Self.listing) }
        defer { server.close() }
        let reports = Reports()
        let client = try Self.client(server, reports: reports)
        #expect(try client.listObjects(bucket: "b", prefix: "").count == 1)
        #expect(reports.all.map(\.reason) == ["ConnectionFailed"])
    }

    @Test func aTimedOutAttemptIsRetried() throws {
        let server = try ScriptedHTTPServer { number, _ in number == 0 ? .stall : .send(Self.listing) }
        defer { server.close() }
        let reports = Reports()
        let client = try Self.client(server, requestTimeoutSeconds: 1, reports: reports)
        #expect(try client.listObjects(bucket: "b", prefix: "").count == 1)
        #expect(reports.all.map(\.reason) == ["Timeout"])
    }

    @Test func aGetObjectIsRetriedBeforeItsFirstByteOnly() throws {
        // given a 503 first: retried, and the object arrives once
        let server = try ScriptedHTTPServer { number, _ in .send(number == 0 ? ScriptedHTTPServer.s3Error(503, "SlowDown") : ScriptedHTTPServer.answer(200, "hello")) }
        defer { server.close() }
        let client = try Self.client(server)
        var received: [UInt8] = []
        try client.getObject(bucket: "b", key: "k") { received += $0 }
        #expect(String(decoding: received, as: UTF8.self) == "hello")
        #expect(server.requests.count == 2)

        // given an answer that breaks off after ten bytes: not retried (a read is not resumed)
        let broken = try ScriptedHTTPServer { _, _ in .send(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nonly ten b".utf8)) }
        defer { broken.close() }
        let brokenClient = try Self.client(broken)
        var count = 0
        let error = #expect(throws: S3Error.self) { try brokenClient.getObject(bucket: "b", key: "k") { count += $0.count } }
        #expect(error?.code == "ConnectionFailed")
        #expect(count == 10)
        #expect(broken.requests.count == 1)
    }

    @Test func thePartsOfAMultipartUploadAndItsCompletionAreRetried() throws {
        // given: the first UploadPart gets a 503, the first CompleteMultipartUpload a 200 whose body is an InternalError
        let partAnswers = Mutex(0)
        let completeAnswers = Mutex(0)
        let server = try ScriptedHTTPServer { _, request in
            if request.method == "POST", request.target.hasSuffix("?uploads") {
                return .send(
                    ScriptedHTTPServer.answer(
                        200, "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>"))
            }
            if request.method == "PUT" {
                let first = partAnswers.withLock { count in
                    count += 1
                    return count == 1
                }
                return .send(first ? ScriptedHTTPServer.s3Error(503, "SlowDown") : ScriptedHTTPServer.answer(200, fields: ["ETag: \"etag\""]))
            }
            if request.method == "POST" {
                let first = completeAnswers.withLock { count in
                    count += 1
                    return count == 1
                }
                return .send(
                    first
                        ? ScriptedHTTPServer.s3Error(200, "InternalError")
                        : ScriptedHTTPServer.answer(200, "<CompleteMultipartUploadResult><Key>k</Key></CompleteMultipartUploadResult>"))
            }
            return .send(ScriptedHTTPServer.s3Error(400, "Unexpected"))
        }
        defer { server.close() }
        let reports = Reports()
        let client = try Self.client(server, reports: reports)
        // when: two parts (5 MiB and one byte)
        let writer = client.objectWriter(bucket: "b", key: "k", partSize: 5 << 20)
        try writer.append([UInt8](repeating: 0x61, count: (5 << 20) + 1))
        try writer.finish()
        // then
        #expect(reports.all.map(\.operation) == ["UploadPart", "CompleteMultipartUpload"])
        #expect(reports.all.map(\.reason) == ["SlowDown (HTTP 503)", "InternalError (HTTP 200)"])
        #expect(server.requests.map(\.method) == ["POST", "PUT", "PUT", "PUT", "POST", "POST"])
        #expect(server.requests.filter { $0.method == "PUT" }.map(\.bodyCount) == [5 << 20, 5 << 20, 1])
    }

    @Test func theWaitsGrowAndStayWithinTheirBounds() {
        for _ in 0..<200 {
            #expect((50...100).contains(RetryPolicy.delay(retry: 1, baseMilliseconds: 100, capMilliseconds: 2_000)))
            #expect((100...200).contains(RetryPolicy.delay(retry: 2, baseMilliseconds: 100, capMilliseconds: 2_000)))
            #expect((1_000...2_000).contains(RetryPolicy.delay(retry: 9, baseMilliseconds: 100, capMilliseconds: 2_000)))
            #expect((30_000...60_000).contains(RetryPolicy.delay(retry: Int.max, baseMilliseconds: 60_000, capMilliseconds: 60_000)))
        }
        #expect(RetryPolicy.delay(retry: 3, baseMilliseconds: 0, capMilliseconds: 2_000) == 0)
    }

    @Test func attemptsAndDelaysOutsideTheirRangesAreRefused() throws {
        for (attempts, base) in [(0, 100), (11, 100), (3, -1), (3, 60_001)] {
            let configuration = S3Configuration(
                endpoint: "http://127.0.0.1:1", region: "us-east-1", accessKeyId: "AKID", secretAccessKey: "s", maxAttempts: attempts,
                retryBaseDelayMilliseconds: base)
            let error = #expect(throws: S3Error.self) { try S3Client(configuration) }
            #expect(error?.code == "InvalidConfiguration")
        }
    }

    // MARK: Stopping

    @Test func aStopBeforeTheCallSendsNothing() throws {
        let server = try ScriptedHTTPServer { _, _ in .send(Self.listing) }
        defer { server.close() }
        let client = try Self.client(server)
        let calls: [() throws -> Void] = [
            { _ = try client.listObjects(bucket: "b", prefix: "", stopWhen: { true }) },
            { _ = try client.headObject(bucket: "b", key: "k", stopWhen: { true }) },
            { try client.getObject(bucket: "b", key: "k", stopWhen: { true }) { _ in } },
            { try client.putObject(bucket: "b", key: "k", body: [1], stopWhen: { true }) },
            { try client.objectWriter(bucket: "b", key: "k").finish(stopWhen: { true }) },
        ]
        for call in calls {
            let error = #expect(throws: S3Error.self) { try call() }
            #expect(error?.code == "Cancelled")
        }
        #expect(server.requests.isEmpty)
    }

    /// A server that reads the request and never answers: without the stop, the call would end by
    /// its 60 s timeout, with Timeout.
    @Test(arguments: ["list", "head", "get", "put"])
    func aStopEndsATransferUnderWay(call: String) throws {
        let server = try ScriptedHTTPServer { _, _ in .stall }
        defer { server.close() }
        let client = try Self.client(server)
        let stop = Flag()
        DispatchQueue.global().async {
            if server.waitForRequests(1) { stop.raise() }
        }
        let error = #expect(throws: S3Error.self) {
            switch call {
            case "list": _ = try client.listObjects(bucket: "b", prefix: "", stopWhen: stop.condition)
            case "head": _ = try client.headObject(bucket: "b", key: "k", stopWhen: stop.condition)
            case "get": try client.getObject(bucket: "b", key: "k", stopWhen: stop.condition) { _ in }
            default: try client.putObject(bucket: "b", key: "k", body: [1, 2, 3], stopWhen: stop.condition)
            }
        }
        #expect(error?.code == "Cancelled")
        #expect(server.requests.count == 1)
    }

    @Test func aStopEndsAReadStreamingItsBody() throws {
        // given a head and the first bytes, then nothing: the low-speed limit (10 s) would end it with Timeout
        let server = try ScriptedHTTPServer { _, _ in .sendThenStall(Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nfirst".utf8)) }
        defer { server.close() }
        let client = try Self.client(server)
        let stop = Flag()
        var received = 0
        let error = #expect(throws: S3Error.self) {
            try client.getObject(bucket: "b", key: "k", stopWhen: stop.condition) { bytes in
                received += bytes.count
                stop.raise()
            }
        }
        #expect(error?.code == "Cancelled")
        #expect(received == 5)
    }

    /// The first wait is at least 30 s: the stop, raised 50 ms into it, must end it.
    @Test func aStopEndsTheWaitBetweenAttempts() throws {
        let server = try ScriptedHTTPServer { _, _ in .send(ScriptedHTTPServer.s3Error(503, "SlowDown")) }
        defer { server.close() }
        let stop = Flag()
        let waiting = DispatchSemaphore(value: 0)
        let client = try S3Client(
            S3Configuration(
                endpoint: server.endpoint, region: "us-east-1", accessKeyId: "AKID", secretAccessKey: "secret", retryBaseDelayMilliseconds: 60_000,
                retryMaxDelayMilliseconds: 60_000, onRetry: { _ in waiting.signal() }))
        DispatchQueue.global().async {
            guard waiting.wait(timeout: .now() + .seconds(10)) == .success else { return }
            usleep(50_000)
            stop.raise()
        }
        let started = ContinuousClock.now
        let error = #expect(throws: S3Error.self) { try client.headObject(bucket: "b", key: "k", stopWhen: stop.condition) }
        #expect(error?.code == "Cancelled")
        #expect(server.requests.count == 1)
        // Far under the wait's 30 s at least: the stop, not the wait's end, ended it.
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
