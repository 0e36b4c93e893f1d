#ifndef MOCK_BEDROCK_CCURL_H
#define MOCK_BEDROCK_CCURL_H

/*
 * libcurl for the S3 client, loaded when the client is first used rather than when the program
 * starts: the executable does not link libcurl (no DT_NEEDED), so a server that never talks to an
 * S3 endpoint never maps libcurl and the thirty-odd libraries it pulls in (OpenSSL, Kerberos, LDAP,
 * libssh2, nghttp2, ...). CCurl.c opens libcurl.so.4 with dlopen once, resolves the functions below
 * with dlsym, and calls curl_global_init.
 *
 * curl.h is included for its types and constants only (CURL, CURLcode, CURLOPT_..., CURLINFO_...,
 * struct curl_slist, struct curl_header). Its functions are not linked: Swift calls the ccurl_
 * functions, and a direct call of a curl_ function would fail at link time.
 *
 * Every function but ccurl_load needs a call of ccurl_load that returned NULL first.
 *
 * Swift cannot call C variadic functions, and libcurl sets every option and reads every piece of
 * information through two: curl_easy_setopt and curl_easy_getinfo. They are wrapped here, one
 * wrapper for each C type of argument, so that the compiler checks the type that reaches libcurl
 * (a long where libcurl reads a curl_off_t would pass garbage, silently). Which wrapper an option
 * takes is the type curl_easy_setopt(3) documents for it.
 */
#include <curl/curl.h>

#pragma clang assume_nonnull begin

/*
 * Loads libcurl once per process (thread-safe: later and concurrent calls wait for the first and
 * get its outcome), resolves its functions and initialises it. NULL when libcurl is ready, else
 * why not, in a static text ("libcurl.so.4 could not be loaded: ...; install libcurl4").
 * The corresponding C function is `dlopen` (of libcurl.so.4), then `curl_global_init`.
 */
const char *_Nullable ccurl_load(void);

/*
 * A new easy handle, NULL when libcurl cannot make one.
 * The corresponding C function is `curl_easy_init`.
 */
CURL *_Nullable ccurl_easy_init(void);

/*
 * Ends the handle's connections and frees it.
 * The corresponding C function is `curl_easy_cleanup`.
 */
void ccurl_easy_cleanup(CURL *handle);

/*
 * Sets every option of the handle back to its default (the connections and caches stay).
 * The corresponding C function is `curl_easy_reset`.
 */
void ccurl_easy_reset(CURL *handle);

/*
 * Runs the transfer the options describe, and returns when it is done or failed.
 * The corresponding C function is `curl_easy_perform`.
 */
CURLcode ccurl_easy_perform(CURL *handle);

/*
 * libcurl's text for an error code (static).
 * The corresponding C function is `curl_easy_strerror`.
 */
const char *ccurl_easy_strerror(CURLcode code);

/*
 * A header field of the answer just received: the `index`th one named `name` among those of
 * `origin` (CURLH_HEADER, ...), of request `request` (-1 for the last). The field stays libcurl's.
 * The corresponding C function is `curl_easy_header`.
 */
CURLHcode ccurl_easy_header(
    CURL *handle, const char *name, size_t index, unsigned int origin, int request, struct curl_header *_Nullable *_Nonnull field);

/*
 * The list with a copy of `line` appended (a new list when `list` is NULL), NULL when out of memory.
 * The corresponding C function is `curl_slist_append`.
 */
struct curl_slist *_Nullable ccurl_slist_append(struct curl_slist *_Nullable list, const char *line);

/*
 * Frees a list and its strings (nothing for NULL).
 * The corresponding C function is `curl_slist_free_all`.
 */
void ccurl_slist_free_all(struct curl_slist *_Nullable list);

/*
 * A new URL handle of libcurl's URL parser, NULL when out of memory.
 * The corresponding C function is `curl_url`.
 */
CURLU *_Nullable ccurl_url(void);

/*
 * Frees a URL handle.
 * The corresponding C function is `curl_url_cleanup`.
 */
void ccurl_url_cleanup(CURLU *url);

/*
 * Sets one part of the URL (CURLUPART_URL parses a whole one).
 * The corresponding C function is `curl_url_set`.
 */
CURLUcode ccurl_url_set(CURLU *url, CURLUPart part, const char *text, unsigned int flags);

/*
 * One part of the URL as a new string, which the caller frees with ccurl_free.
 * The corresponding C function is `curl_url_get`.
 */
CURLUcode ccurl_url_get(CURLU *url, CURLUPart part, char *_Nullable *_Nonnull text, unsigned int flags);

/*
 * Frees memory libcurl allocated for the caller (nothing for NULL).
 * The corresponding C function is `curl_free`.
 */
void ccurl_free(void *_Nullable memory);

/*
 * Sets an option that takes a long (CURLOPT_NOSIGNAL, CURLOPT_CONNECTTIMEOUT_MS, ...).
 * The corresponding C function is `curl_easy_setopt`.
 */
CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);

/*
 * Sets an option that takes a pointer libcurl does not copy (CURLOPT_WRITEDATA,
 * CURLOPT_HTTPHEADER, CURLOPT_POSTFIELDS, CURLOPT_ERRORBUFFER): it must stay valid for the transfer.
 * The corresponding C function is `curl_easy_setopt`.
 */
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *_Nullable value);

/*
 * Sets an option that takes a C string, which libcurl copies (CURLOPT_URL, CURLOPT_CUSTOMREQUEST,
 * CURLOPT_PROTOCOLS_STR). The corresponding C function is `curl_easy_setopt`.
 */
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);

/*
 * Sets a data callback: CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION (curl_write_callback) or
 * CURLOPT_READFUNCTION (curl_read_callback, the same C type).
 * The corresponding C function is `curl_easy_setopt`.
 */
CURLcode ccurl_setopt_callback(CURL *handle, CURLoption option, curl_write_callback value);

/*
 * Sets the progress callback, CURLOPT_XFERINFOFUNCTION: libcurl calls it often during a transfer
 * (about once a second even while nothing moves), and a non-zero return aborts the transfer
 * (CURLE_ABORTED_BY_CALLBACK). It needs CURLOPT_NOPROGRESS set to 0.
 * The corresponding C function is `curl_easy_setopt`.
 */
CURLcode ccurl_setopt_xferinfo(CURL *handle, CURLoption option, curl_xferinfo_callback value);

/*
 * Sets an option that takes a curl_off_t (CURLOPT_POSTFIELDSIZE_LARGE, CURLOPT_INFILESIZE_LARGE).
 * The corresponding C function is `curl_easy_setopt`.
 */
CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);

/*
 * Reads a piece of information that is a long (CURLINFO_RESPONSE_CODE, CURLINFO_OS_ERRNO).
 * The corresponding C function is `curl_easy_getinfo`.
 */
CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);

/*
 * Reads a piece of information that is a curl_off_t (CURLINFO_CONTENT_LENGTH_DOWNLOAD_T).
 * The corresponding C function is `curl_easy_getinfo`.
 */
CURLcode ccurl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);

#pragma clang assume_nonnull end

#endif
