import BatchData
import Dispatch
import LiveTestSupport
import MockBedrock
import S3
import Synchronization
import Testing

/// The `--s3-endpoint` store against a scripted server on 127.0.0.1: its stopping view (a reset or a
/// deadline cancels the data work: an S3 call under way must end, not run out its 60 s timeout) and
/// the retries it reports.
@Suite struct S3ObjectStoreTests {
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func raise() { value.store(true, ordering: .sequentiallyConsistent) }
        var condition: @Sendable () -> Bool { { [self] in value.load(ordering: .sequentiallyConsistent) } }
    }

    static func store(_ server: ScriptedHTTPServer, onRetry: (@Sendable (S3Retry) -> Void)? = nil) throws -> S3ObjectStore {
        try S3ObjectStore(endpoint: server.endpoint, accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: nil, region: nil, onRetry: onRetry)
    }

    /// The server reads each request and never answers; the flag goes up once the request has come.
    @Test(arguments: ["list", "head", "read", "write", "stopping a regional view", "a regional view of a stopping one"])
    func aCallUnderWayEndsWithCancelled(call: String) throws {
        let server = try ScriptedHTTPServer { _, _ in .stall }
        defer { server.close() }
        let store = try Self.store(server)
        let stop = Flag()
        let view =
            switch call {
            case "stopping a regional view": store.forRegion("eu-west-1").stopping(when: stop.condition)
            default: store.stopping(when: stop.condition).forRegion("eu-west-1")
            }
        DispatchQueue.global().async {
            if server.waitForRequests(1) { stop.raise() }
        }
        let started = ContinuousClock.now
        let error = #expect(throws: StoreError.self) {
            switch call {
            case "list": _ = try view.list(bucket: "b", prefix: "in/", limit: 10)
            case "read": try view.read(bucket: "b", key: "in/x.jsonl") { _ in }
            case "write": try view.put(bucket: "b", key: "out/x.jsonl.out", [1, 2, 3])
            default: _ = try view.head(bucket: "b", key: "in/x.jsonl")
            }
        }
        #expect(error == StoreError.cancelled)
        #expect(server.requests.count == 1)
        // S3's request timeout is 60 s: the stop ended the call, within about a second of libcurl's progress callback.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aCancelledViewSendsNothing() throws {
        let server = try ScriptedHTTPServer { _, _ in .send(ScriptedHTTPServer.answer(200)) }
        defer { server.close() }
        let view = try Self.store(server).stopping(when: { true })
        let calls: [() throws -> Void] = [
            { _ = try view.list(bucket: "b", prefix: "", limit: 1) },
            { _ = try view.head(bucket: "b", key: "k") },
            { try view.read(bucket: "b", key: "k") { _ in } },
            { _ = try view.writer(bucket: "b", key: "k") },
            { _ = try view.forRegion("eu-west-1").head(bucket: "b", key: "k") },
        ]
        for call in calls {
            let error = #expect(throws: StoreError.self) { try call() }
            #expect(error == StoreError.cancelled)
        }
        #expect(server.requests.isEmpty)
    }

    @Test func eachRetryIsReported() throws {
        let server = try ScriptedHTTPServer { number, _ in
            .send(number == 0 ? ScriptedHTTPServer.s3Error(503, "SlowDown") : Array("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n".utf8))
        }
        defer { server.close() }
        let heard = Mutex<[S3Retry]>([])
        let store = try Self.store(server, onRetry: { retry in heard.withLock { $0.append(retry) } })
        #expect(store.onRetry != nil)
        #expect(try store.forRegion("eu-west-1").head(bucket: "b", key: "in/x.jsonl") == StoredObject(key: "in/x.jsonl", size: 3))
        let retries = heard.withLock { $0 }
        #expect(retries.map(\.operation) == ["HeadObject"])
        #expect(retries.map(\.attempt) == [1])
        #expect(retries.map(\.reason) == ["ServiceUnavailable (HTTP 503)"])  // a HEAD answer has no body to read the code from
        #expect(retries.map(\.key) == ["in/x.jsonl"])
    }
}
