import LiveTestSupport
import Testing

@testable import EventDelivery
@testable import HTTPClient

/// A proxy in the environment is never used for a loopback webhook (the proxy named here is a port
/// nothing listens on: a request sent through it fails), and the no-proxy list keeps the user's own.
@Suite struct ProxyTests {
    @Test(arguments: ["http_proxy", "ALL_PROXY"])
    func aLoopbackWebhookIsReachedDirectly(variable: String) throws {
        let receiver = try HTTPReceiver { _ in .answer(status: 204) }
        defer { receiver.close() }
        let log = LogLines()
        try ProxyEnvironment.withDeadProxy([variable]) { _ in
            let sink = try WebhookSink(url: receiver.url(), options: Events.options(attempts: 1), log: log.sink)
            defer { sink.shutdown(milliseconds: 1_000) }
            sink.enqueue(Events.make(1))
            #expect(sink.waitIdle(milliseconds: 5_000))
            #expect(sink.counters() == SinkCounters(delivered: 1), "\(log.all)")
        }
        #expect(receiver.requests.count == 1)
    }

    @Test func theNoProxyListKeepsTheEnvironmentsEntriesAndAddsTheLoopback() {
        #expect(CurlHandle.noProxyList(nil) == "localhost,127.0.0.0/8,::1")
        #expect(CurlHandle.noProxyList("") == "localhost,127.0.0.0/8,::1")
        #expect(CurlHandle.noProxyList(" example.com, .internal ,,10.0.0.0/8") == "example.com,.internal,10.0.0.0/8,localhost,127.0.0.0/8,::1")
        #expect(CurlHandle.noProxyList("*") == "*")
        #expect(CurlHandle.noProxyList(" * ") == "*")
    }
}
