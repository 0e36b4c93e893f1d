import CCurl

/// A URL as libcurl's URL parser reads it, in parts, so that callers check what they accept
/// (scheme, user-info, path) by the same reading libcurl will make when it sends the request.
public struct HTTPURL: Sendable, Equatable {
    /// The whole URL, normalised by libcurl (scheme and host in lower case, `/` for an empty path).
    public var text: String
    public var scheme: String
    public var host: String
    /// The port as written, nil when the URL gives none.
    public var port: String?
    /// The path, `/` when empty.
    public var path: String
    public var query: String?
    public var fragment: String?
    /// Whether the URL carries a user name, a password or login options (credentials in it).
    public var hasUserInfo: Bool

    /// Parses `text`; InvalidConfiguration when it is not a URL libcurl can read, or has no host.
    public init(_ text: String) throws(HTTPError) {
        try CurlLibrary.load()
        guard let url = ccurl_url() else { throw HTTPError(.invalidConfiguration, "libcurl could not parse \(text)") }
        defer { ccurl_url_cleanup(url) }
        guard ccurl_url_set(url, CURLUPART_URL, text, 0) == CURLUE_OK, let scheme = Self.part(url, CURLUPART_SCHEME),
            let host = Self.part(url, CURLUPART_HOST), let whole = Self.part(url, CURLUPART_URL)
        else { throw HTTPError(.invalidConfiguration, "\(text) is not a URL") }
        self.text = whole
        self.scheme = scheme
        self.host = host
        port = Self.part(url, CURLUPART_PORT)
        path = Self.part(url, CURLUPART_PATH) ?? "/"
        query = Self.part(url, CURLUPART_QUERY)
        fragment = Self.part(url, CURLUPART_FRAGMENT)
        hasUserInfo = [CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS].contains { Self.part(url, $0) != nil }
    }

    /// `scheme://host[:port]`.
    public var origin: String { "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "") }

    /// `host`, with `:port` when the port is not the scheme's default: the `Host` field a client
    /// sends (and signs) for this URL.
    public var hostField: String {
        let defaultPort = scheme == "https" ? "443" : "80"
        return host + (port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? "")
    }

    /// One part of a parsed URL, nil when it has none.
    /// The corresponding C function is `curl_url_get`.
    private static func part(_ url: OpaquePointer, _ which: CURLUPart) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        guard ccurl_url_get(url, which, &text, 0) == CURLUE_OK, let text else { return nil }
        defer { ccurl_free(text) }
        return String(cString: text)
    }
}
