#ifndef OBSCTL_CCURL_SHIM_H
#define OBSCTL_CCURL_SHIM_H
// libcurl's types and constants come from its header; its code is loaded with dlopen on first use (cc_load), so
// commands that never talk to a remote endpoint (and every TAB completion) do not pay for loading libcurl and its
// ~30 dependencies at start-up (about 6 ms per process).
#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

typedef struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    char *(*version)(void);
} cc_api;

/// Loads libcurl (the libcurl4-openssl-dev / libcurl4 build) and fills `api`; returns 0 when it cannot.
static inline int cc_load(cc_api *api) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) return 0;
    *(void **)&api->global_init = dlsym(lib, "curl_global_init");
    *(void **)&api->easy_init = dlsym(lib, "curl_easy_init");
    *(void **)&api->easy_cleanup = dlsym(lib, "curl_easy_cleanup");
    *(void **)&api->easy_reset = dlsym(lib, "curl_easy_reset");
    *(void **)&api->easy_setopt = dlsym(lib, "curl_easy_setopt");
    *(void **)&api->easy_getinfo = dlsym(lib, "curl_easy_getinfo");
    *(void **)&api->easy_perform = dlsym(lib, "curl_easy_perform");
    *(void **)&api->easy_strerror = dlsym(lib, "curl_easy_strerror");
    *(void **)&api->slist_append = dlsym(lib, "curl_slist_append");
    *(void **)&api->slist_free_all = dlsym(lib, "curl_slist_free_all");
    *(void **)&api->version = dlsym(lib, "curl_version");
    return api->global_init && api->easy_init && api->easy_cleanup && api->easy_reset && api->easy_setopt &&
           api->easy_getinfo && api->easy_perform && api->easy_strerror && api->slist_append &&
           api->slist_free_all && api->version;
}

// Swift cannot call C variadic functions: one typed wrapper per argument kind, calling through the loaded table.
static inline CURLcode cc_setopt_long(const cc_api *a, CURL *h, CURLoption o, long v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode cc_setopt_off(const cc_api *a, CURL *h, CURLoption o, curl_off_t v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode cc_setopt_ptr(const cc_api *a, CURL *h, CURLoption o, void *v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode cc_setopt_str(const cc_api *a, CURL *h, CURLoption o, const char *v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode cc_setopt_slist(const cc_api *a, CURL *h, CURLoption o, struct curl_slist *v) {
    return a->easy_setopt(h, o, v);
}
typedef size_t (*cc_io_cb)(char *, size_t, size_t, void *);
static inline CURLcode cc_setopt_iofunc(const cc_api *a, CURL *h, CURLoption o, cc_io_cb f) {
    return a->easy_setopt(h, o, f);
}
// Rewinds an upload body when libcurl resends a request itself (a reused connection found dead after the body went).
typedef int (*cc_seek_cb)(void *, curl_off_t, int);
static inline CURLcode cc_setopt_seek(const cc_api *a, CURL *h, cc_seek_cb f, void *data) {
    CURLcode rc = a->easy_setopt(h, CURLOPT_SEEKFUNCTION, f);
    return rc != CURLE_OK ? rc : a->easy_setopt(h, CURLOPT_SEEKDATA, data);
}
typedef int (*cc_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode cc_setopt_xferinfo(const cc_api *a, CURL *h, CURLoption o, cc_xferinfo_cb f) {
    return a->easy_setopt(h, o, f);
}
// Called once the connection is made (or reused), before anything of the request is sent: the primary IP is the
// address the request would go to. Fails with CURLE_UNKNOWN_OPTION on libcurl < 7.80 (the caller then refuses).
typedef int (*cc_prereq_cb)(void *, char *, char *, int, int);
static inline CURLcode cc_setopt_prereq(const cc_api *a, CURL *h, cc_prereq_cb f, void *data) {
#if LIBCURL_VERSION_NUM >= 0x075000  /* 7.80.0 */
    CURLcode rc = a->easy_setopt(h, CURLOPT_PREREQFUNCTION, f);
    return rc != CURLE_OK ? rc : a->easy_setopt(h, CURLOPT_PREREQDATA, data);
#else
    (void)a; (void)h; (void)f; (void)data;
    return CURLE_UNKNOWN_OPTION;
#endif
}
static inline CURLcode cc_getinfo_long(const cc_api *a, CURL *h, CURLINFO i, long *v) {
    return a->easy_getinfo(h, i, v);
}
static inline CURLcode cc_getinfo_off(const cc_api *a, CURL *h, CURLINFO i, curl_off_t *v) {
    return a->easy_getinfo(h, i, v);
}
#endif
