/* SPDX-License-Identifier: MIT */
/* srs-bench's WebRTC players, inside the tools: where they signal (the URL forms of -sr) and how
 * (SRS's legacy /rtc/v1/play/ JSON API, or WHEP). The players themselves are in
 * srs_bench_rtc.c. */
#ifndef SRS_BENCH_RTC_H
#define SRS_BENCH_RTC_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SRS's default HTTP API port, for webrtc:// and whep:// URLs without one. */
#define SRS_BENCH_RTC_DEFAULT_API_PORT 1985

typedef enum {
    SRS_BENCH_RTC_LEGACY = 0, /* webrtc://host[:apiport]/app/stream: POST /rtc/v1/play/ with JSON */
    SRS_BENCH_RTC_WHEP,       /* whep://host:port/path?query or http://...: POST the SDP itself */
} srs_bench_rtc_api_t;

typedef struct {
    srs_bench_rtc_api_t api;
    char host[256];        /* without brackets for IPv6 */
    int port;
    char target[1024];     /* the HTTP request target, e.g. "/rtc/v1/play/" */
    char stream_url[1024]; /* legacy: the webrtc:// URL as given, for "streamurl" */
} srs_bench_rtc_url_t;

/* webrtc://host[:port]/app/stream[?query] (port 1985 by default; a query is kept in streamurl),
 * whep://host[:port]/path[?query] (1985), http://host[:port]/path[?query] (80). Errors
 * (ERROR_CONFIG_INVALID): another scheme, no host, a bad port, a webrtc:// URL without app and
 * stream, a URL that does not fit. */
srs_error_t srs_bench_rtc_parse_url(const char *url, srs_bench_rtc_url_t *out);

/* POST the offer and read the answer SDP (*answer malloc'ed), within timeout. WHEP wants 200 or
 * 201; the legacy API 200 with {"code":0,"sdp":...}. location gets the WHEP Location ("" when
 * none). Errors: the HTTP client's, ERROR_HTTP_STATUS, ERROR_RTC_SDP for a refusal or an answer
 * without SDP. */
srs_error_t srs_bench_rtc_signal(const srs_bench_rtc_url_t *u, const char *offer, srs_utime_t timeout,
                                 char **answer, char *location, size_t location_size);

#ifdef __cplusplus
}
#endif

#endif
