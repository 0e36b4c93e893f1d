import CCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A libcurl easy handle: one transfer at a time, reused (with its connection) across requests.
/// `@unchecked Sendable` because the pool hands it from thread to thread; it is only ever used
/// by the thread that took it out of the pool.
public final class CurlHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    public init() throws(HTTPError) {
        try CurlLibrary.load()
        guard let handle = ccurl_easy_init() else { throw HTTPError(.invalidConfiguration, "libcurl could not make an easy handle") }
        self.handle = handle
    }

    deinit { ccurl_easy_cleanup(handle) }

    /// Sends `exchange` and waits for the answer, within `timeouts`. A success answer's body goes
    /// to `onChunk` when given (false from it stops the transfer: Stopped); any other body is
    /// gathered up to `limit` bytes (TooLarge past it). `stopWhen`, when given, is asked about once a
    /// second (and whenever data moves) and ends the transfer when true (Stopped), so that a caller
    /// shutting down need not wait for the timeouts.
    ///
    /// Every transfer is set up the same way: no signals (libcurl's resolver timeouts would
    /// otherwise use SIGALRM, which is not safe with threads), http and https only, no redirects,
    /// and never a proxy for loopback hosts (`noProxy`). A failure says the status when the answer's
    /// status line had come (`HTTPError.status`).
    public func perform(
        _ exchange: HTTPExchange, timeouts: HTTPTimeouts, limit: Int, onChunk: ((UnsafeRawBufferPointer) -> Bool)? = nil,
        stopWhen: (() -> Bool)? = nil
    ) throws(HTTPError) -> HTTPOutcome {
        ccurl_easy_reset(handle)
        // Reset again when done, so that no pointer into this call (error buffer, header list,
        // transfer, body) stays set on the handle while it waits in the pool.
        defer { ccurl_easy_reset(handle) }
        let transfer = CurlTransfer(handle: handle, limit: limit, onChunk: onChunk, stopWhen: stopWhen)
        var fields: UnsafeMutablePointer<curl_slist>?
        defer { ccurl_slist_free_all(fields) }
        // "Expect:" with no value stops libcurl from waiting for a 100 Continue before a large body.
        for line in exchange.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            guard let longer = ccurl_slist_append(fields, line) else { throw HTTPError(.connectionFailed, "out of memory for the header fields") }
            fields = longer
        }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        // libcurl needs a body pointer that is not NULL even for an empty body, or it reads stdin.
        let body = exchange.body.isEmpty ? [0] : exchange.body
        let code = errorText.withUnsafeMutableBytes { errorBuffer in
            body.withUnsafeBytes { bodyBytes in
                var setup = [
                    ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
                    ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
                    ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
                    ccurl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1),  // keys such as a/../b are sent as they are
                    ccurl_setopt_string(handle, CURLOPT_NOPROXY, Self.noProxy),
                    ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, timeouts.connectMilliseconds),
                    ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeouts.totalMilliseconds),
                    ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, timeouts.lowSpeedLimitBytesPerSecond),
                    ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, timeouts.lowSpeedTimeSeconds),
                    ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress),
                    ccurl_setopt_string(handle, CURLOPT_URL, exchange.url),
                    ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(fields)),
                    ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, receiveBody),
                    ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(transfer).toOpaque()),
                ]
                if stopWhen != nil {
                    setup.append(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
                    setup.append(ccurl_setopt_xferinfo(handle, CURLOPT_XFERINFOFUNCTION, checkProgress))
                    setup.append(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(transfer).toOpaque()))
                }
                switch exchange.method {
                case "GET": setup.append(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1))
                case "HEAD": setup.append(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1))
                case "PUT", "POST":
                    // A body from memory libcurl can send again by itself if a reused connection fails.
                    setup.append(ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(exchange.body.count)))
                    setup.append(ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress)))
                    setup.append(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, exchange.method))
                default: setup.append(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, exchange.method))
                }
                if let refused = setup.first(where: { $0 != CURLE_OK }) { return refused }
                return ccurl_easy_perform(handle)
            }
        }
        if var failure = transfer.failure {
            failure.status = receivedStatus()
            throw failure
        }
        guard code == CURLE_OK else {
            let written = errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            let detail = written.isEmpty ? String(cString: ccurl_easy_strerror(code)) : String(decoding: written, as: UTF8.self)
            throw HTTPError(Self.errorKind(code), "\(exchange.method) \(exchange.url): \(detail)", status: receivedStatus())
        }
        return outcome(body: transfer.body)
    }

    /// The hosts libcurl never reaches through a proxy, whatever `http_proxy`, `https_proxy` or
    /// `ALL_PROXY` say: the environment's own `no_proxy` (or `NO_PROXY`) entries, which this option
    /// replaces, then `localhost` (and its subdomains), `127.0.0.0/8` and `::1` (libcurl 7.86 and
    /// later read CIDR ranges). Read once, when the first transfer is set up. A name other than
    /// `localhost` that resolves to a loopback address is not known here, and is proxied if the
    /// environment says so.
    static let noProxy = noProxyList((getenv("no_proxy") ?? getenv("NO_PROXY")).map { String(cString: $0) })

    /// `configured`'s entries (a comma-separated list), then the loopback names and ranges.
    static func noProxyList(_ configured: String?) -> String {
        let entries = (configured ?? "").split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" } }.filter { !$0.isEmpty }
        // A lone `*` means no host at all is proxied; in a list it would be a name like any other.
        if entries == ["*"] { return "*" }
        return (entries + ["localhost", "127.0.0.0/8", "::1"]).joined(separator: ",")
    }

    /// The status of the answer under way or just read, nil when no status line has come.
    private func receivedStatus() -> Int? {
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status > 0 ? status : nil
    }

    /// The status and header fields of the transfer just done.
    private func outcome(body: [UInt8]) -> HTTPOutcome {
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var length: curl_off_t = -1
        _ = ccurl_getinfo_off_t(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        var etag: UnsafeMutablePointer<curl_header>?
        let found = ccurl_easy_header(handle, "ETag", 0, UInt32(CURLH_HEADER), -1, &etag) == CURLHE_OK
        return HTTPOutcome(
            status: status, body: body, etag: found ? etag.flatMap { $0.pointee.value.map { String(cString: $0) } } : nil,
            contentLength: length >= 0 ? Int64(length) : nil)
    }

    /// The kind of a failed transfer: Timeout, ConnectionFailed (no connection, or it broke),
    /// InvalidConfiguration (this libcurl refused an option), or InvalidResponse (an answer libcurl
    /// could not read as HTTP).
    static func errorKind(_ code: CURLcode) -> HTTPError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_UNKNOWN_OPTION, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_NOT_BUILT_IN, CURLE_UNSUPPORTED_PROTOCOL: .invalidConfiguration
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
            CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            .connectionFailed
        default: .invalidResponse
        }
    }
}
