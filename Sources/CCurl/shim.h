#ifndef MOCK_BEDROCK_CCURL_SHIM_H
#define MOCK_BEDROCK_CCURL_SHIM_H

#include <curl/curl.h>

/*
 * Swift cannot call C variadic functions, and libcurl sets every option and reads every piece of
 * information through two: curl_easy_setopt and curl_easy_getinfo. They are wrapped here as static
 * inline functions, one for each C type of argument, so that the compiler checks the type that
 * reaches libcurl (a long where libcurl reads a curl_off_t would pass garbage, silently).
 * Which wrapper an option takes is the type curl_easy_setopt(3) documents for it.
 */

/*
 * Sets an option that takes a long (CURLOPT_NOSIGNAL, CURLOPT_CONNECTTIMEOUT_MS, ...).
 * The corresponding C function is `curl_easy_setopt`.
 */
static inline CURLcode curl_shim_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/*
 * Sets an option that takes a pointer libcurl does not copy (CURLOPT_WRITEDATA,
 * CURLOPT_HTTPHEADER, CURLOPT_POSTFIELDS, CURLOPT_ERRORBUFFER): it must stay valid for the transfer.
 * The corresponding C function is `curl_easy_setopt`.
 */
static inline CURLcode curl_shim_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/*
 * Sets an option that takes a C string, which libcurl copies (CURLOPT_URL, CURLOPT_CUSTOMREQUEST,
 * CURLOPT_PROTOCOLS_STR). The corresponding C function is `curl_easy_setopt`.
 */
static inline CURLcode curl_shim_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/*
 * Sets a data callback: CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION (curl_write_callback) or
 * CURLOPT_READFUNCTION (curl_read_callback, the same C type).
 * The corresponding C function is `curl_easy_setopt`.
 */
static inline CURLcode curl_shim_setopt_callback(CURL *handle, CURLoption option, curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

/*
 * Sets an option that takes a curl_off_t (CURLOPT_POSTFIELDSIZE_LARGE, CURLOPT_INFILESIZE_LARGE).
 * The corresponding C function is `curl_easy_setopt`.
 */
static inline CURLcode curl_shim_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/*
 * Reads a piece of information that is a long (CURLINFO_RESPONSE_CODE, CURLINFO_OS_ERRNO).
 * The corresponding C function is `curl_easy_getinfo`.
 */
static inline CURLcode curl_shim_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/*
 * Reads a piece of information that is a curl_off_t (CURLINFO_CONTENT_LENGTH_DOWNLOAD_T).
 * The corresponding C function is `curl_easy_getinfo`.
 */
static inline CURLcode curl_shim_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
