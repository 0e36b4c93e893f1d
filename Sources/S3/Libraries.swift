import CLibXML2

/// libxml2 is not linked: it is loaded (`dlopen`) the first time the client needs it, so that a
/// server that never talks to an S3 endpoint never maps it and what it pulls in. It is loaded and
/// initialised once per process (`xmlInitParser`, which libxml2 wants before threads parse), under
/// a `pthread_once` in its C target. libcurl is loaded the same way, by HTTPClient's `CurlLibrary`.
enum Libraries {
    /// Loads libxml2, or says why it cannot be (InvalidConfiguration: "libxml2.so.2 could not be
    /// loaded: ...; install libxml2"). Needed before any `cxml_` call.
    static func xml() throws(S3Error) {
        if let failure = cxml_load() { throw S3Error(code: "InvalidConfiguration", message: String(cString: failure)) }
    }
}
