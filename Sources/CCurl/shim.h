#ifndef OBSCTL_CCURL_SHIM_H
#define OBSCTL_CCURL_SHIM_H
#include <curl/curl.h>
// Swift cannot call C variadic functions: one typed wrapper per argument kind.
static inline CURLcode cc_setopt_long(CURL *h, CURLoption o, long v)        { return curl_easy_setopt(h, o, v); }
static inline CURLcode cc_setopt_off(CURL *h, CURLoption o, curl_off_t v)   { return curl_easy_setopt(h, o, v); }
static inline CURLcode cc_setopt_ptr(CURL *h, CURLoption o, void *v)        { return curl_easy_setopt(h, o, v); }
static inline CURLcode cc_setopt_str(CURL *h, CURLoption o, const char *v)  { return curl_easy_setopt(h, o, v); }
static inline CURLcode cc_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*cc_io_cb)(char *, size_t, size_t, void *);
static inline CURLcode cc_setopt_iofunc(CURL *h, CURLoption o, cc_io_cb f)  { return curl_easy_setopt(h, o, f); }
typedef int (*cc_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode cc_setopt_xferinfo(CURL *h, CURLoption o, cc_xferinfo_cb f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode cc_getinfo_long(CURL *h, CURLINFO i, long *v)        { return curl_easy_getinfo(h, i, v); }
static inline CURLcode cc_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v)   { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode cc_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
#endif
