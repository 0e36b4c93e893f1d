import LiveTestSupport
import Testing

@testable import S3

/// A proxy in the environment (`http_proxy`, `ALL_PROXY`...) is never used for a loopback endpoint:
/// the proxy named here is a port nothing listens on, so a request sent through it fails.
@Suite struct ProxyTests {
    @Test(arguments: ["http_proxy", "ALL_PROXY", "all_proxy"])
    func aLoopbackEndpointIsReachedDirectly(variable: String) throws {
        let server = try ScriptedHTTPServer { _, _ in .send(RetryTests.listing) }
        defer { server.close() }
        try ProxyEnvironment.withDeadProxy([variable]) { _ in
            for host in ["127.0.0.1", "localhost"] {
                let client = try S3Client(
                    S3Configuration(
                        endpoint: "http://\(host):\(server.port)", region: "us-east-1", accessKeyId: "AKID", secretAccessKey: "secret", maxAttempts: 1))
                #expect(try client.listObjects(bucket: "b", prefix: "").count == 1, "\(variable), \(host)")
            }
        }
        #expect(server.requests.count == 2)
    }
}
