import CCurl
import CLibXML2

/// libcurl and libxml2 are not linked: they are loaded (`dlopen`) the first time the client needs
/// them, so that a server that never talks to an S3 endpoint never maps them and what they pull in.
/// Each is loaded and initialised once per process (`curl_global_init`, which is not thread-safe in
/// every libcurl build; `xmlInitParser`, which libxml2 wants before threads parse), under a
/// `pthread_once` in its C target.
enum Libraries {
    /// Loads libcurl, or says why it cannot be (InvalidConfiguration: "libcurl.so.4 could not be
    /// loaded: ...; install libcurl4"). Needed before any `ccurl_` call.
    static func curl() throws(S3Error) {
        if let failure = ccurl_load() { throw S3Error(code: "InvalidConfiguration", message: String(cString: failure)) }
    }

    /// Loads libxml2, or says why it cannot be (InvalidConfiguration: "libxml2.so.2 could not be
    /// loaded: ...; install libxml2"). Needed before any `cxml_` call.
    static func xml() throws(S3Error) {
        if let failure = cxml_load() { throw S3Error(code: "InvalidConfiguration", message: String(cString: failure)) }
    }
}
