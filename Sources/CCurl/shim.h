#ifndef RUNNER_SCALER_CCURL_SHIM_H
#define RUNNER_SCALER_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / curl_easy_getinfo are variadic and do not import into Swift:
   these typed wrappers are the only way Swift calls them. */
static inline CURLcode rs_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rs_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rs_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rs_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rs_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*rs_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode rs_curl_setopt_datacb(CURL *h, CURLoption o, rs_curl_data_cb cb) { return curl_easy_setopt(h, o, cb); }
static inline CURLcode rs_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLSHcode rs_curl_share_setopt_long(CURLSH *s, CURLSHoption o, long v) { return curl_share_setopt(s, o, v); }
#endif
