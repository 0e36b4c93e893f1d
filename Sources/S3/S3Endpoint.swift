import HTTPClient

/// The endpoint as libcurl's URL parser reads it: the base of every request's URL, and the
/// `Host` field the client sends and signs itself (so that what is signed is what is sent).
struct S3Endpoint: Sendable, Equatable {
    /// `scheme://host[:port]`.
    var base: String
    /// `host`, with `:port` when the endpoint gives a port other than the scheme's default.
    var host: String

    init(_ text: String) throws(S3Error) {
        do { try CurlLibrary.load() } catch { throw S3Error(error) }
        guard let url = try? HTTPURL(text) else { throw Self.refusal(text, "not a URL") }
        guard url.scheme == "http" || url.scheme == "https" else { throw Self.refusal(text, "an http or https URL is needed") }
        guard url.path == "/", url.query == nil, url.fragment == nil, !url.hasUserInfo else {
            throw Self.refusal(text, "scheme, host and port only: buckets go in the path")
        }
        base = url.origin
        host = url.hostField
    }

    private static func refusal(_ endpoint: String, _ why: String) -> S3Error {
        S3Error(code: "InvalidConfiguration", message: "endpoint \(endpoint): \(why)")
    }
}
