/* SPDX-License-Identifier: MIT */
/* The HTTP stream server (PROXY_HTTP_SERVER): /api/v1/versions in SRS's shape, and the HTTP-FLV,
 * HTTP-TS, HLS and static-file paths that their modules add. */
#ifndef SRS_APP_HTTP_STREAM_H
#define SRS_APP_HTTP_STREAM_H

#include "srs_app_server.h"
#include "srs_protocol_http.h"

srs_error_t srs_http_stream_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer);
/* The same over TLS when tls is set (PROXY_HTTPS_SERVER, srs_app_https.c). */
srs_error_t srs_http_stream_on_conn_tls(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer, SSL_CTX *tls);

/* Answers that origins made the proxy refuse (each a 502/504 JSON to the player). */
typedef struct {
    uint64_t playlist_too_large; /* over PROXY_HLS_MAX_PLAYLIST, or its rewrite over 4x that */
    uint64_t origin_timeout;     /* connect/head (or a playlist's whole body) not in time */
    uint64_t origin_bad_reply;   /* malformed or oversized head, a playlist not answered with 200 */
} srs_http_stream_stats_t;
const srs_http_stream_stats_t *srs_http_stream_stats(void);

#endif
