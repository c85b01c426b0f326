/* SPDX-License-Identifier: MIT */
/* An SRS origin as it registers itself (its heartbeat, spec §2), and the JSON the Go proxy keeps
 * in Redis for it (spec §3.2). */
#ifndef SRS_APP_ORIGIN_H
#define SRS_APP_ORIGIN_H

#include "srs_core.h"
#include "srs_core_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRS_ORIGIN_MAX_ENDPOINTS 4

/* Values, not pointers: copied freely. */
typedef struct {
    char ip[64], device_id[128], server_id[128], service_id[128], pid[32];
    char rtmp[SRS_ORIGIN_MAX_ENDPOINTS][64]; int n_rtmp;   /* as registered (e.g. "19351") */
    char http[SRS_ORIGIN_MAX_ENDPOINTS][64]; int n_http;
    char api[SRS_ORIGIN_MAX_ENDPOINTS][64];  int n_api;
    char srt[SRS_ORIGIN_MAX_ENDPOINTS][64];  int n_srt;    /* e.g. "udp://0.0.0.0:10081" */
    char rtc[SRS_ORIGIN_MAX_ENDPOINTS][64];  int n_rtc;
    /* From the first endpoint of each list that parses, skipping those of the other transport
     * (a "udp://" one for rtmp/http/api, a "tcp://" one for srt/rtc); 0 = none. */
    int rtmp_port, http_port, api_port, srt_port, rtc_port;
    int64_t updated_at;      /* wall clock, microseconds since the epoch */
} srs_origin_t;

/* Parse and validate a register body (spec §2). Required, checked in this order after the types:
 * ip, server, service, pid (a JSON string; a number is an error), rtmp (a non-empty array of
 * strings), with the messages "empty ip", "empty server", "empty service", "empty pid",
 * "empty rtmp"; then the ip must pass srs_endpoint_check_ip (an IP literal, not unspecified,
 * multicast or broadcast: host names are refused, never resolved). http/api/srt/rtc/device_id are optional. An empty body counts as {} (as Go).
 * Lists longer than SRS_ORIGIN_MAX_ENDPOINTS keep their first entries. Any endpoint may be in
 * any srs_endpoint_parse form; an rtmp list whose first endpoint does not parse is an error.
 * All errors are ERROR_ORIGIN_INVALID; srs_error_message(err) is the text for the client.
 * Sets updated_at = now. */
srs_error_t srs_origin_parse_register(const char *body, size_t len, srs_origin_t *out);

/* "<server>-<service>-<pid>" */
void srs_origin_id(const srs_origin_t *o, char *out, size_t size);

/* The Go proxy's Redis JSON: fields ip, device_id, server_id, service_id, pid, rtmp, http, api,
 * srt, rtc (omitted when empty) and update_at (RFC 3339 with fraction, as Go's time.Time, UTC
 * here). The caller frees the result with free(). */
char *srs_origin_to_json(const srs_origin_t *o);
/* The reverse, accepting what the Go proxy writes (any RFC 3339 offset, nanoseconds). Missing
 * fields stay empty; a field of the wrong type is an error (ERROR_ORIGIN_INVALID). */
srs_error_t srs_origin_from_json(const char *json, size_t len, srs_origin_t *out);

/* srs_origin_from_json for a value read back from Redis (which anyone who reaches Redis may have
 * written): then validated as strictly as a registration: the ip as srs_endpoint_check_ip,
 * non-empty server_id/service_id/pid, an rtmp port, an update_at. ERROR_ORIGIN_INVALID. */
srs_error_t srs_origin_from_redis(const char *json, size_t len, srs_origin_t *out);

/* "SRS ip=1.2.3.4, id=srv-svc-p, rtmp=19351, http=8081, api=19851, rtc=8001, srt=10081" for
 * logs; ports that are 0 are left out. */
void srs_origin_describe(const srs_origin_t *o, char *out, size_t size);

/* The debug default backend (spec §2 "Default backend", PROXY_DEFAULT_BACKEND_*): built from
 * the config strings, empty ones omitted; server_id "default-<cid>", service_id "<cid>" (two
 * new random ids), pid = this process's pid, updated_at = now. Errors "empty default backend
 * ip" / "empty default backend rtmp", or an endpoint that does not parse. Build it once and
 * refresh updated_at before each periodic update, so its id stays the same. */
srs_error_t srs_origin_default_backend(const char *ip, const char *rtmp, const char *http, const char *api,
                                       const char *rtc, const char *srt, srs_origin_t *out);

#ifdef __cplusplus
}
#endif

#endif
