/* SPDX-License-Identifier: MIT */
/* JSON answers shared by the HTTP-facing parts: SRS-shaped bodies {"code":0,...} and errors
 * {"code":<non-zero>,"msg":"..."}, with CORS where SRS sends it. */
#ifndef SRS_APP_API_H
#define SRS_APP_API_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_protocol_http.h"

#include <cJSON.h>

/* Writes obj (and frees it) with Content-Type: application/json. */
srs_error_t srs_api_write_json(srs_http_conn_t *c, int status, cJSON *obj, const srs_http_headers_t *extra);
/* An error as {"code":<srs code>,"msg":"<root cause>"}; the status comes from the caller. */
srs_error_t srs_api_write_error(srs_http_conn_t *c, int status, srs_error_t cause, const srs_http_headers_t *extra);
/* For the paths a player calls (WHIP/WHEP, streams): log the cause through a rate limit (clients
 * choose what they send), answer it with CORS as SRS-shaped JSON, and free it. */
srs_error_t srs_api_reply_error(srs_http_conn_t *c, int status, srs_error_t cause, const char *what);
/* Access-Control-Allow-{Origin,Headers,Methods}: * (as SRS and the Go proxy). */
void srs_api_add_cors(srs_http_headers_t *h);
/* The stream URL ("<vhost>/<app>/<stream>") an HTTP request names. The one vhost rule, shared
 * with RTMP: `?vhost=` in the query wins, else the Host header's name (an IP or a dot-less name is
 * __defaultVhost__). app and stream come from the caller (query or path). */
srs_error_t srs_api_stream_url(const srs_http_request_t *req, const char *app, const char *stream,
                               char *out, size_t size);
/* The process id as a string, as SRS puts it in "pid". */
const char *srs_api_pid(void);

#endif
