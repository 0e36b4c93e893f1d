import Testing

@testable import S3

/// Endpoints that fail: nothing listening, a server that never answers, servers that answer
/// too much or nonsense. Each call must end, with the right error, within the configured bounds.
@Suite struct TransportFailureTests {
    /// One attempt a call (no retries: RetryTests has those), so that each failure is seen as it comes.
    static func client(port: UInt16, requestTimeoutSeconds: Int = 60, lowSpeedTimeSeconds: Int = 10) throws -> S3Client {
        try S3Client(
            S3Configuration(
                endpoint: "http://127.0.0.1:\(port)", region: "us-east-1", accessKeyId: "AKID", secretAccessKey: "secret", connectTimeoutSeconds: 1,
                requestTimeoutSeconds: requestTimeoutSeconds, lowSpeedTimeSeconds: lowSpeedTimeSeconds, maxAttempts: 1))
    }

    @Test func aClosedPortFailsFastWithConnectionFailed() throws {
        // given
        let client = try Self.client(port: try LoopbackListener.closedPort())
        // when
        let started = ContinuousClock.now
        let error = #expect(throws: S3Error.self) { try client.listObjects(bucket: "b", prefix: "") }
        // then
        #expect(error?.code == "ConnectionFailed")
        #expect(error?.httpStatus == nil)
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }

    @Test func aServerThatNeverAnswersTimesOutWithinTheBound() throws {
        // given: connections complete into the backlog and are never read
        let listener = try LoopbackListener()
        defer { listener.close() }
        let client = try Self.client(port: listener.port, requestTimeoutSeconds: 1, lowSpeedTimeSeconds: 2)
        // when a request with a total bound (a HEAD), then a streamed read (no total bound: the low-speed limit ends it)
        for (bound, call) in [(1, { _ = try client.headObject(bucket: "b", key: "k") }), (2, { try client.getObject(bucket: "b", key: "k") { _ in } })]
            as [(Int, () throws -> Void)]
        {
            let started = ContinuousClock.now
            let error = #expect(throws: S3Error.self) { try call() }
            let elapsed = ContinuousClock.now - started
            // then
            #expect(error?.code == "Timeout")
            #expect(elapsed >= .milliseconds(bound * 1000 - 100))
            #expect(elapsed < .seconds(bound + 2))
        }
    }

    @Test func anErrorBodyPastTheCapIsRefusedAsTooLarge() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let size = S3Client.maxGatheredBytes + 1
        listener.answerEveryConnection(with: Array("HTTP/1.1 500 Internal Server Error\r\nContent-Length: \(size)\r\n\r\n".utf8) + [UInt8](repeating: 0x20, count: size))
        let client = try Self.client(port: listener.port)
        let error = #expect(throws: S3Error.self) { try client.listObjects(bucket: "b", prefix: "") }
        #expect(error?.code == "TooLarge", "\(String(describing: error))")
    }

    @Test func aListingThatIsNotXMLIsAnInvalidResponse() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.answerEveryConnection(with: Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8))
        let client = try Self.client(port: listener.port)
        let error = #expect(throws: S3Error.self) { try client.listObjects(bucket: "b", prefix: "") }
        #expect(error?.code == "InvalidResponse")
    }

    @Test func aServerThatHangsUpMidObjectIsAConnectionFailure() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.answerEveryConnection(with: Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b".utf8))
        let client = try Self.client(port: listener.port)
        var received = 0
        let error = #expect(throws: S3Error.self) { try client.getObject(bucket: "b", key: "k") { received += $0.count } }
        #expect(error?.code == "ConnectionFailed")
        #expect(received == 10)
    }

    @Test func aHeadOfASizeOverFiveTiBIsAnInvalidResponse() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.answerEveryConnection(with: Array("HTTP/1.1 200 OK\r\nContent-Length: 5497558138881\r\n\r\n".utf8))
        let client = try Self.client(port: listener.port)
        let error = #expect(throws: S3Error.self) { try client.headObject(bucket: "b", key: "in/x.jsonl") }
        #expect(error?.code == "InvalidResponse")
        #expect(error?.message.contains("in/x.jsonl has a size of 5497558138881 bytes") == true, "\(String(describing: error))")
    }
}
