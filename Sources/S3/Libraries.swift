import CCurl
import CLibXML2

/// libcurl and libxml2 set up once per process, before the first handle or parser:
/// `curl_global_init` is not thread-safe in every libcurl build, and libxml2 wants `xmlInitParser`
/// before threads parse. Swift initialises a global `let` exactly once, under a lock, on first use.
let librariesReady: CURLcode = {
    xmlInitParser()
    return curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()
