import LiveTestSupport
import Testing

@testable import EventDelivery

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The webhook against a real socket on 127.0.0.1: what it posts, in which order, when it tries
/// again, and that nothing it does blocks `enqueue` or `shutdown` past their bounds.
@Suite struct WebhookSinkTests {
    @Test func postsTheEnvelopeAsJSON() throws {
        // given
        let receiver = try HTTPReceiver { _ in .answer(status: 204) }
        defer { receiver.close() }
        let sink = try WebhookSink(url: receiver.url("/hook?x=1"), options: Events.options(), log: { _ in })
        defer { sink.shutdown(milliseconds: 1_000) }
        let event = Events.make(1)
        // when
        sink.enqueue(event)
        // then
        #expect(sink.waitIdle(milliseconds: 5_000))
        let request = try #require(receiver.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/hook?x=1")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["user-agent"] == "mock-bedrock")
        #expect(request.body == event.envelope)
        #expect(sink.counters() == SinkCounters(delivered: 1))
        #expect(sink.name == "webhook")
        #expect(sink.target == receiver.url("/hook?x=1"))
    }

    @Test func fiftyEventsArriveInTheOrderEnqueued() throws {
        let receiver = try HTTPReceiver { _ in .answer(status: 200, body: "ok") }
        defer { receiver.close() }
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(), log: { _ in })
        defer { sink.shutdown(milliseconds: 1_000) }
        let events = (0..<50).map { Events.make($0) }
        for event in events { sink.enqueue(event) }
        #expect(sink.waitIdle(milliseconds: 10_000))
        #expect(receiver.requests.map(\.body) == events.map(\.envelope))
        #expect(sink.counters() == SinkCounters(delivered: 50))
    }

    @Test func aServerErrorIsTriedAgainUntilItSucceeds() throws {
        let receiver = try HTTPReceiver { $0 < 2 ? .answer(status: $0 == 0 ? 500 : 429) : .answer(status: 200) }
        defer { receiver.close() }
        let log = LogLines()
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 3), log: log.sink)
        defer { sink.shutdown(milliseconds: 1_000) }
        sink.enqueue(Events.make(1))
        #expect(sink.waitIdle(milliseconds: 5_000))
        #expect(receiver.requests.count == 3)
        #expect(sink.counters() == SinkCounters(delivered: 1, retried: 2))
        #expect(log.all.isEmpty)
    }

    @Test func aClientErrorFailsAtOnce() throws {
        let receiver = try HTTPReceiver { _ in .answer(status: 400) }
        defer { receiver.close() }
        let log = LogLines()
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 3), log: log.sink)
        defer { sink.shutdown(milliseconds: 1_000) }
        sink.enqueue(Events.make(7))
        #expect(sink.waitIdle(milliseconds: 5_000))
        #expect(receiver.requests.count == 1)
        #expect(sink.counters() == SinkCounters(failed: 1))
        #expect(log.all.count == 1)
        #expect(log.all.first?.contains("job7 failed after 1 try: HTTP 400") == true, "\(log.all)")
    }

    @Test func aDeadPortFailsAfterEveryTryWithoutBlockingEnqueue() throws {
        let port = try Loopback.closedPort()
        let log = LogLines()
        let sink = try WebhookSink(url: "http://127.0.0.1:\(port)/", options: Events.options(attempts: 3, backoff: [20]), log: log.sink)
        defer { sink.shutdown(milliseconds: 1_000) }
        let started = ContinuousClock.now
        for number in 0..<5 { sink.enqueue(Events.make(number)) }
        #expect(ContinuousClock.now - started < .milliseconds(50))
        #expect(sink.waitIdle(milliseconds: 5_000))
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(sink.counters() == SinkCounters(failed: 5, retried: 10))
        // The first failure is logged; the next ones, within 10 s, are only counted.
        #expect(log.all.count == 1, "\(log.all)")
        #expect(log.all.first?.contains("failed after 3 tries: ConnectionFailed") == true, "\(log.all)")
        sink.shutdown(milliseconds: 100)
        #expect(log.all.last?.contains("4 more events failed since the last line") == true, "\(log.all)")
    }

    @Test func aReceiverThatNeverAnswersIsCutByTheRequestTimeout() throws {
        let receiver = try HTTPReceiver { _ in .stall }
        defer { receiver.close() }
        let log = LogLines()
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 1, requestTimeoutSeconds: 1), log: log.sink)
        defer { sink.shutdown(milliseconds: 1_000) }
        let started = ContinuousClock.now
        sink.enqueue(Events.make(1))
        #expect(sink.waitIdle(milliseconds: 5_000))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(3))
        #expect(sink.counters() == SinkCounters(failed: 1))
        #expect(log.all.first?.contains("Timeout") == true, "\(log.all)")
    }

    /// A 2xx status line delivers the event: a body that then stalls past the request timeout is not
    /// a failure to try again (each try would post the event once more).
    @Test(arguments: [200, 204])
    func aSuccessStatusWhoseBodyStallsIsDeliveredOnce(status: Int) throws {
        let receiver = try HTTPReceiver { _ in .statusThenStall(status: status) }
        defer { receiver.close() }
        let log = LogLines()
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 3, requestTimeoutSeconds: 1), log: log.sink)
        defer { sink.shutdown(milliseconds: 1_000) }
        sink.enqueue(Events.make(1))
        #expect(sink.waitIdle(milliseconds: 10_000))
        #expect(sink.counters() == SinkCounters(delivered: 1))
        #expect(receiver.requests.count == 1)
        #expect(log.all.isEmpty, "\(log.all)")
    }

    @Test func anErrorStatusWhoseBodyStallsIsTriedAgain() throws {
        let receiver = try HTTPReceiver { $0 == 0 ? .statusThenStall(status: 503) : .answer(status: 200) }
        defer { receiver.close() }
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 3, requestTimeoutSeconds: 1), log: { _ in })
        defer { sink.shutdown(milliseconds: 1_000) }
        sink.enqueue(Events.make(1))
        #expect(sink.waitIdle(milliseconds: 10_000))
        #expect(sink.counters() == SinkCounters(delivered: 1, retried: 1))
        #expect(receiver.requests.count == 2)
    }

    @Test func aFullQueueDropsAndCounts() throws {
        let receiver = try HTTPReceiver { _ in .stall }
        defer { receiver.close() }
        let log = LogLines()
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 1, requestTimeoutSeconds: 30, queueLimit: 2), log: log.sink)
        // given one event in flight, stuck
        sink.enqueue(Events.make(0))
        #expect(receiver.waitForRequests(1))
        // when five more come: two wait, three are dropped
        for number in 1...5 { sink.enqueue(Events.make(number)) }
        // then
        #expect(sink.counters() == SinkCounters(dropped: 3, queued: 3))
        #expect(log.all.count == 1, "\(log.all)")
        #expect(log.all.first?.contains("the queue is full (2 events), dropped event") == true, "\(log.all)")
        #expect(!sink.waitIdle(milliseconds: 50))
        // Shut down: the two waiting are abandoned, the one in flight is aborted; later events are dropped.
        sink.shutdown(milliseconds: 50)
        #expect(sink.waitIdle(milliseconds: 2_500))
        #expect(sink.counters() == SinkCounters(failed: 3, dropped: 3))
        sink.enqueue(Events.make(6))
        #expect(sink.counters().dropped == 4)
    }

    @Test func shutdownReturnsWithinItsBoundWhileADeliveryIsStuck() throws {
        let receiver = try HTTPReceiver { _ in .stall }
        defer { receiver.close() }
        let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 3, requestTimeoutSeconds: 30), log: { _ in })
        sink.enqueue(Events.make(0))
        #expect(receiver.waitForRequests(1))
        let started = ContinuousClock.now
        sink.shutdown(milliseconds: 200)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(190))
        #expect(elapsed < .milliseconds(700))
        #expect(sink.counters().queued == 1)
        // Abandoned, the request is aborted within about a second, and not tried again.
        #expect(sink.waitIdle(milliseconds: 2_500))
        #expect(sink.counters() == SinkCounters(failed: 1))
        #expect(receiver.requests.count == 1)
    }

    @Test func urlsOtherThanHTTPOrWithCredentialsAreRefused() {
        for url in ["ftp://127.0.0.1/x", "http://user:secret@127.0.0.1/hook", "http://user@127.0.0.1/", "not a url", "file:///etc/passwd", ""] {
            let error = #expect(throws: DeliveryError.self, "\(url)") { try WebhookSink(url: url, log: { _ in }) }
            #expect(error?.description.contains("secret") == false)
        }
        var options = DeliveryOptions()
        options.attempts = 0
        #expect(throws: DeliveryError.self) { try WebhookSink(url: "http://127.0.0.1/", options: options, log: { _ in }) }
    }
}
