import CCurl

/// The endpoint as libcurl's URL parser reads it: the base of every request's URL, and the
/// `Host` field the client sends and signs itself (so that what is signed is what is sent).
struct S3Endpoint: Sendable, Equatable {
    /// `scheme://host[:port]`.
    var base: String
    /// `host`, with `:port` when the endpoint gives a port other than the scheme's default.
    var host: String

    init(_ text: String) throws(S3Error) {
        try Libraries.curl()
        guard let url = ccurl_url() else { throw Self.refusal(text, "libcurl could not parse it") }
        defer { ccurl_url_cleanup(url) }
        guard ccurl_url_set(url, CURLUPART_URL, text, 0) == CURLUE_OK else { throw Self.refusal(text, "not a URL") }
        let scheme = Self.part(url, CURLUPART_SCHEME)
        guard scheme == "http" || scheme == "https", let scheme, let name = Self.part(url, CURLUPART_HOST) else {
            throw Self.refusal(text, "an http or https URL is needed")
        }
        guard Self.part(url, CURLUPART_PATH) ?? "/" == "/", Self.part(url, CURLUPART_QUERY) == nil, Self.part(url, CURLUPART_FRAGMENT) == nil,
            Self.part(url, CURLUPART_USER) == nil
        else {
            throw Self.refusal(text, "scheme, host and port only: buckets go in the path")
        }
        let port = Self.part(url, CURLUPART_PORT)
        let defaultPort = scheme == "https" ? "443" : "80"
        base = "\(scheme)://\(name)" + (port.map { ":\($0)" } ?? "")
        host = name + (port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? "")
    }

    /// One part of a parsed URL, nil when it has none.
    /// The corresponding C function is `curl_url_get`.
    private static func part(_ url: OpaquePointer, _ which: CURLUPart) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        guard ccurl_url_get(url, which, &text, 0) == CURLUE_OK, let text else { return nil }
        defer { ccurl_free(text) }
        return String(cString: text)
    }

    private static func refusal(_ endpoint: String, _ why: String) -> S3Error {
        S3Error(code: "InvalidConfiguration", message: "endpoint \(endpoint): \(why)")
    }
}
