/* SPDX-License-Identifier: MIT */
/* SRS's HTTP API on the proxy's HTTP API port (PROXY_HTTP_API), for tools written for SRS:
 *
 *   GET /api/v1/versions            SRS's {"code","server","service","pid","data":{"major",...}}
 *                                   with the Go proxy's "signature" and "version" beside them
 *   GET /api/v1/streams/ /clients/ /vhosts/ /summaries
 *                                   every live origin's answer, merged (srs_kernel_srs_api.c):
 *                                   one coroutine per origin, a whole-request deadline
 *                                   (PROXY_SRS_API_TIMEOUT), a cache per origin and list
 *                                   (PROXY_SRS_API_CACHE), ?start=&count= on the merged list
 *   * /api/v1/streams/<id>, /clients/<id>, /vhosts/<id>
 *                                   to the origin whose list names the id; a method that changes
 *                                   state (DELETE kicks a client, POST, PUT, PATCH) needs the system
 *                                   API token when PROXY_SYSTEM_API_TOKEN is set
 *   any other /api/...              SRS-shaped JSON error (404, code 4005)
 *
 * Origin replies are untrusted: each is bounded (1 MiB), the merged list too
 * (PROXY_SRS_API_MAX_ENTRIES), and at most 8 aggregations run at once (more → 503). */
#ifndef SRS_APP_SRS_API_H
#define SRS_APP_SRS_API_H

#include "srs_app_server.h"
#include "srs_kernel_strbuf.h"
#include "srs_protocol_http.h"

/* A reply over this from an origin is refused (that origin counts as not answering). */
#define SRS_SRS_API_MAX_BODY (1024 * 1024)
/* Origins asked per request, at most; the others are named unavailable. */
#define SRS_SRS_API_MAX_ORIGINS 64
/* Aggregations in progress at once, at most (each may hold 64 × 1 MiB of replies). */
#define SRS_SRS_API_MAX_INFLIGHT 8
/* A request body forwarded to an origin (POST/PUT), at most. */
#define SRS_SRS_API_MAX_REQUEST_BODY (64 * 1024)

/* /api/v1/versions in both shapes. */
srs_error_t srs_srs_api_serve_versions(srs_proxy_t *p, srs_http_conn_t *c);
/* True for a path this module answers: anything under /api/ (the caller routes its own
 * /api/v1/... paths first). */
bool srs_srs_api_match(const char *path);
srs_error_t srs_srs_api_serve(srs_proxy_t *p, srs_http_conn_t *c, srs_http_request_t *req);

/* Counters for /metrics: origin answers missing by reason (timeout, error, invalid), and requests
 * refused because SRS_SRS_API_MAX_INFLIGHT aggregations were running. */
typedef struct {
    uint64_t requests, origin_timeouts, origin_errors, origin_invalid, cache_hits, refused_busy, refused_auth;
} srs_srs_api_stats_t;
void srs_srs_api_stats(srs_srs_api_stats_t *out);
/* srs_proxy_srs_api_requests_total, srs_proxy_srs_api_origin_missing_total{reason},
 * srs_proxy_srs_api_refused_total{reason}, srs_proxy_srs_api_cache_hits_total. */
void srs_srs_api_render_metrics(srs_strbuf_t *out);

#endif
