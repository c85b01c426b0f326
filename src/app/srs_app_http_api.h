/* SPDX-License-Identifier: MIT */
/* The HTTP API (PROXY_HTTP_API): /api/v1/versions, and the WebRTC signalling (WHIP/WHEP and the
 * legacy /rtc/v1/publish/ and /rtc/v1/play/) that the WebRTC module adds. */
#ifndef SRS_APP_HTTP_API_H
#define SRS_APP_HTTP_API_H

#include "srs_app_server.h"
#include "srs_protocol_http.h"

srs_error_t srs_http_api_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer);
/* The same over TLS (PROXY_HTTPS_API, srs_app_https.c). */
srs_error_t srs_http_api_on_conn_tls(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer, SSL_CTX *tls);

/* GET /api/v1/sessions: every live WebRTC and SRT session (ICE ufrags, client addresses, stream
 * ids). Served on the system API only, behind PROXY_SYSTEM_API_TOKEN: the public HTTP API
 * answers 404 (a ufrag and a client address were enough to hijack a session). */
srs_error_t srs_api_serve_sessions(srs_proxy_t *p, srs_http_conn_t *c);

#endif
