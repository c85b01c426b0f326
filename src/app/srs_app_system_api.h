/* SPDX-License-Identifier: MIT */
/* The system API (PROXY_SYSTEM_API): origins register here by their SRS heartbeat.
 *   /api/v1/versions        {"signature":"SRSX","version":"7.0.143"}
 *   /api/v1/srs/register    the heartbeat body → {"code":0,"pid":"<proxy pid>"}
 *   /api/v1/origins         registered origins; ?pick=<stream url> the origin serving a stream
 * With PROXY_SYSTEM_API_TOKEN set, all but versions need ?token= or Authorization: Bearer. */
#ifndef SRS_APP_SYSTEM_API_H
#define SRS_APP_SYSTEM_API_H

#include "srs_app_server.h"
#include "srs_protocol_http.h"

/* srs_tcp_conn_fn for the system API listener; ctx is the srs_proxy_t. */
srs_error_t srs_system_api_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer);

/* The system API's token check (PROXY_SYSTEM_API_TOKEN as ?token= or Authorization: Bearer; true
 * when no token is set), shared with the SRS API's state-changing requests. */
bool srs_system_api_authorized(const srs_config_t *cfg, const srs_http_request_t *req);

/* Without PROXY_SYSTEM_API_TOKEN, anyone who reaches the system API registers origins (and gets
 * a share of new streams): at startup, a loud warning when it listens beyond loopback so. True
 * when it warned. */
bool srs_system_api_warn_open(const srs_config_t *cfg);

#endif
