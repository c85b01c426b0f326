/* SPDX-License-Identifier: MIT */
/* The HTTP stream server (PROXY_HTTP_SERVER): /api/v1/versions in SRS's shape, and the HTTP-FLV,
 * HTTP-TS, HLS and static-file paths that their modules add. */
#ifndef SRS_APP_HTTP_STREAM_H
#define SRS_APP_HTTP_STREAM_H

#include "srs_app_server.h"

srs_error_t srs_http_stream_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer);

#endif
