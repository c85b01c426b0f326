/* SPDX-License-Identifier: MIT */
/* /metrics in the Prometheus text format: srs_proxy_* counters and gauges of the whole proxy
 * (connections by listener, WebRTC sessions, packets and bytes each way, drops by reason, origins,
 * picks per origin, coroutines, build info). Served on the HTTP API (PROXY_HTTP_API) and, when
 * PROXY_EXPORTER is set, on a listener of its own (like SRS's exporter). Reading the counters
 * costs nothing on the packet path: they are the plain integers the relay keeps anyway. */
#ifndef SRS_APP_METRICS_H
#define SRS_APP_METRICS_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_app_server.h"
#include "srs_kernel_strbuf.h"
#include "srs_protocol_http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every metric of the proxy p, appended to out. Parts of p that are NULL count as empty. */
void srs_metrics_render(srs_proxy_t *p, srs_strbuf_t *out);
/* Answer a GET /metrics. */
srs_error_t srs_metrics_serve(srs_proxy_t *p, srs_http_conn_t *c);

/* Notes the start time, and starts the exporter listener when PROXY_EXPORTER is set. */
srs_error_t srs_metrics_exporter_start(srs_proxy_t *p);
void srs_metrics_exporter_close_listener(void);
void srs_metrics_exporter_free(void);
/* The exporter's port, 0 when off. */
int srs_metrics_exporter_port(void);

#ifdef __cplusplus
}
#endif

#endif
