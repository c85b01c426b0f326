/* SPDX-License-Identifier: MIT */
/* The debug listener (PROXY_PPROF, or GO_PPROF as in the Go proxy; off unless set): Go's
 * net/http/pprof endpoints for a C proxy on State Threads.
 *
 *   /debug/pprof/                 index
 *   /debug/pprof/profile?seconds  CPU profile (gperftools), gzipped profile.proto, symbolized
 *   /debug/pprof/heap, allocs     sampled heap (inuse_space / alloc_space), gzipped profile.proto
 *   /debug/pprof/goroutine        coroutines: legacy count text; ?debug=1 grouped, ?debug=2 each
 *   /debug/pprof/trace?seconds    ST scheduler trace as Chrome trace-event JSON
 *   /debug/pprof/symbol           GET num_symbols: 1; POST 0xaddr+0xaddr → "0xaddr<TAB>name"
 *   /debug/pprof/cmdline          argv, NUL-separated
 *
 * /pprof/<same> speaks gperftools' remote-server contract for its old pprof script: the raw CPU
 * profile file, heapz text, newline-separated cmdline. A profile or trace takes its seconds on the
 * handler's own coroutine while the proxy keeps serving; one CPU profile and one trace at a time:
 * a second request gets 409 Conflict at once. */
#ifndef SRS_APP_PPROF_H
#define SRS_APP_PPROF_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_app_config.h"
#include "srs_protocol_http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Binds the debug listener when configured (a busy port fails, like every listener; a
 * non-loopback address logs a warning) and starts the heap sampler. */
srs_error_t srs_pprof_start(const srs_config_t *cfg);
/* Stops accepting (quit). */
void srs_pprof_close_listener(void);
/* Ends running requests (a profile in progress stops and cleans up) and frees. */
void srs_pprof_free(void);
/* The port bound, 0 when off; its live connections. */
/* The port of this worker's own debug listener (PROXY_WORKERS > 1), or 0. */
int srs_pprof_worker_port(void);
int srs_pprof_port(void);
int srs_pprof_conn_count(void);

/* True when gperftools' CPU profiler is linked (not in SANITIZER=yes builds). */
bool srs_pprof_cpu_available(void);

/* Handlers, one file each; legacy is true under /pprof/. */
srs_error_t srs_pprof_serve_cpu(srs_http_conn_t *c, const srs_http_request_t *req, bool legacy);
srs_error_t srs_pprof_serve_heap(srs_http_conn_t *c, const srs_http_request_t *req, bool allocs, bool legacy);
srs_error_t srs_pprof_serve_goroutine(srs_http_conn_t *c, const srs_http_request_t *req);
srs_error_t srs_pprof_serve_symbol(srs_http_conn_t *c, const srs_http_request_t *req);
srs_error_t srs_pprof_serve_trace(srs_http_conn_t *c, const srs_http_request_t *req);

/* Shared by the handlers. An integer query parameter, def when absent or not a number. */
int64_t srs_pprof_query_int(const srs_http_request_t *req, const char *key, int64_t def);
/* An answer with a body; filename adds Content-Disposition: attachment (NULL for none). */
srs_error_t srs_pprof_reply(srs_http_conn_t *c, int status, const char *content_type, const char *filename,
                            const void *body, size_t len);
/* A plain-text error, as Go's http.Error: pprof clients print it. */
srs_error_t srs_pprof_reply_error(srs_http_conn_t *c, int status, const char *msg);

#ifdef __cplusplus
}
#endif

#endif
