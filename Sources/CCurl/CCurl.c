/*
 * libcurl through dlopen and dlsym (CCurl.h says why). Every libcurl function is called through a
 * pointer resolved once, by ccurl_load, under pthread_once; the pointers are only written there.
 */
#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* The soname of libcurl 7.16 and later, in every TLS flavour Debian packages as libcurl4. */
#define CCURL_LIBRARY "libcurl.so.4"

static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    void (*easy_reset)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    CURLHcode (*easy_header)(CURL *handle, const char *name, size_t index, unsigned int origin, int request, struct curl_header **field);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *url);
    CURLUcode (*url_set)(CURLU *url, CURLUPart part, const char *text, unsigned int flags);
    CURLUcode (*url_get)(CURLU *url, CURLUPart part, char **text, unsigned int flags);
    void (*free_memory)(void *memory);
} curl;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
/* Empty when libcurl is ready, else why not. Written once, in load. */
static char failure[512] = "libcurl was not loaded";

static void load(void) {
    void *library = dlopen(CCURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(failure, sizeof failure, "%s could not be loaded: %s; install libcurl4", CCURL_LIBRARY, dlerror());
        return;
    }
    /* POSIX makes a data pointer from dlsym convertible to a function pointer; this is its idiom. */
    const struct {
        const char *name;
        void **slot;
    } functions[] = {
        {"curl_global_init", (void **)&curl.global_init},
        {"curl_easy_init", (void **)&curl.easy_init},
        {"curl_easy_cleanup", (void **)&curl.easy_cleanup},
        {"curl_easy_reset", (void **)&curl.easy_reset},
        {"curl_easy_perform", (void **)&curl.easy_perform},
        {"curl_easy_strerror", (void **)&curl.easy_strerror},
        {"curl_easy_setopt", (void **)&curl.easy_setopt},
        {"curl_easy_getinfo", (void **)&curl.easy_getinfo},
        {"curl_easy_header", (void **)&curl.easy_header},
        {"curl_slist_append", (void **)&curl.slist_append},
        {"curl_slist_free_all", (void **)&curl.slist_free_all},
        {"curl_url", (void **)&curl.url},
        {"curl_url_cleanup", (void **)&curl.url_cleanup},
        {"curl_url_set", (void **)&curl.url_set},
        {"curl_url_get", (void **)&curl.url_get},
        {"curl_free", (void **)&curl.free_memory},
    };
    for (size_t index = 0; index < sizeof functions / sizeof functions[0]; index++) {
        dlerror();
        *functions[index].slot = dlsym(library, functions[index].name);
        if (*functions[index].slot == NULL) {
            const char *why = dlerror();
            snprintf(failure, sizeof failure, "%s has no %s (%s); libcurl 7.83 or later is needed", CCURL_LIBRARY, functions[index].name,
                     why != NULL ? why : "a null symbol");
            dlclose(library);
            return;
        }
    }
    CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(failure, sizeof failure, "libcurl could not be initialised: %s", curl.easy_strerror(code));
        return;
    }
    /* The library stays open for the life of the process. */
    failure[0] = '\0';
}

const char *ccurl_load(void) {
    pthread_once(&loaded, load);
    return failure[0] == '\0' ? NULL : failure;
}

CURL *ccurl_easy_init(void) { return curl.easy_init(); }

void ccurl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }

void ccurl_easy_reset(CURL *handle) { curl.easy_reset(handle); }

CURLcode ccurl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }

const char *ccurl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }

CURLHcode ccurl_easy_header(CURL *handle, const char *name, size_t index, unsigned int origin, int request, struct curl_header **field) {
    return curl.easy_header(handle, name, index, origin, request, field);
}

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line) { return curl.slist_append(list, line); }

void ccurl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLU *ccurl_url(void) { return curl.url(); }

void ccurl_url_cleanup(CURLU *url) { curl.url_cleanup(url); }

CURLUcode ccurl_url_set(CURLU *url, CURLUPart part, const char *text, unsigned int flags) { return curl.url_set(url, part, text, flags); }

CURLUcode ccurl_url_get(CURLU *url, CURLUPart part, char **text, unsigned int flags) { return curl.url_get(url, part, text, flags); }

void ccurl_free(void *memory) { curl.free_memory(memory); }

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value) { return curl.easy_setopt(handle, option, value); }

CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value) { return curl.easy_setopt(handle, option, value); }

CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value) { return curl.easy_setopt(handle, option, value); }

CURLcode ccurl_setopt_callback(CURL *handle, CURLoption option, curl_write_callback value) { return curl.easy_setopt(handle, option, value); }

CURLcode ccurl_setopt_xferinfo(CURL *handle, CURLoption option, curl_xferinfo_callback value) { return curl.easy_setopt(handle, option, value); }

CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) { return curl.easy_setopt(handle, option, value); }

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value) { return curl.easy_getinfo(handle, info, value); }

CURLcode ccurl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) { return curl.easy_getinfo(handle, info, value); }
