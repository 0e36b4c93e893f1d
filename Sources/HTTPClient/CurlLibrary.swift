import CCurl

/// libcurl is not linked: it is loaded (`dlopen`) the first time a client needs it, so that a
/// server that never makes an HTTP call never maps it and what it pulls in. It is loaded and
/// initialised once per process (`curl_global_init`, which is not thread-safe in every libcurl
/// build) under a `pthread_once` in CCurl.
public enum CurlLibrary {
    /// Loads libcurl, or says why it cannot be (InvalidConfiguration: "libcurl.so.4 could not be
    /// loaded: ...; install libcurl4"). Needed before any `ccurl_` call.
    public static func load() throws(HTTPError) {
        if let failure = ccurl_load() { throw HTTPError(.invalidConfiguration, String(cString: failure)) }
    }
}
