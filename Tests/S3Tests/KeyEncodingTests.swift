import Testing

@testable import S3

/// Keys reach S3 percent-encoded once, as S3 signs them: unreserved bytes and `/` kept, every other
/// byte as %XX in upper case.
@Suite struct KeyEncodingTests {
    @Test(arguments: [
        ("plain.jsonl", "/bucket/plain.jsonl"),
        ("in/2026/03/records.jsonl.out", "/bucket/in/2026/03/records.jsonl.out"),
        ("a b+c%d&e=f?g#h", "/bucket/a%20b%2Bc%25d%26e%3Df%3Fg%23h"),
        ("~-_.", "/bucket/~-_."),
        ("été/ü", "/bucket/%C3%A9t%C3%A9/%C3%BC"),
        ("a/../b/./c//d", "/bucket/a/../b/./c//d"),
        ("(1)*'!$,;:@", "/bucket/%281%29%2A%27%21%24%2C%3B%3A%40"),
    ])
    func encodesKeysOnceKeepingSlashes(key: String, path: String) {
        #expect(S3Request(operation: "GetObject", method: "GET", bucket: "bucket", key: key).path == path)
    }

    @Test func encodesTheQueryAsItIsSigned() {
        let request = S3Request(
            operation: "ListObjectsV2", method: "GET", bucket: "b", query: [("list-type", "2"), ("prefix", "a b/ü"), ("continuation-token", "1/x+y=="), ("uploads", "")])
        #expect(request.path == "/b")
        #expect(request.queryString == "list-type=2&prefix=a%20b%2F%C3%BC&continuation-token=1%2Fx%2By%3D%3D&uploads")
    }

    @Test(arguments: [
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000", "127.0.0.1:9000"),
        ("https://s3.us-east-1.amazonaws.com/", "https://s3.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"),
        ("https://s3.example.com:443", "https://s3.example.com:443", "s3.example.com"),
        ("http://[::1]:9000", "http://[::1]:9000", "[::1]:9000"),
    ])
    func readsTheEndpointWithLibcurl(endpoint: String, base: String, host: String) throws {
        let parsed = try S3Endpoint(endpoint)
        #expect(parsed.base == base)
        #expect(parsed.host == host)
    }

    @Test func refusesEndpointsWithMoreThanSchemeHostAndPort() {
        for refused in ["ftp://example.com", "http://example.com/base", "http://example.com/?x=1", "http://user@example.com", "not a url", ""] {
            #expect(throws: S3Error.self, "\(refused)") { try S3Endpoint(refused) }
        }
    }

    @Test func refusesAConfigurationItCannotUse() {
        let good = S3Configuration(endpoint: "http://127.0.0.1:9", region: "us-east-1", accessKeyId: "AKID", secretAccessKey: "secret")
        var badTimeout = good
        badTimeout.requestTimeoutSeconds = 0
        var noRegion = good
        noRegion.region = ""
        var badEndpoint = good
        badEndpoint.endpoint = "s3.amazonaws.com"
        for configuration in [badTimeout, noRegion, badEndpoint] {
            #expect(throws: S3Error.self) { try S3Client(configuration) }
        }
        #expect(throws: Never.self) { try S3Client(good) }
    }
}
