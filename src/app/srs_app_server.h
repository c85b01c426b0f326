/* SPDX-License-Identifier: MIT */
/* The proxy process: the load balancer, every listener in the Go proxy's order, the timers that
 * keep tables clean, and the quit sequence (fast on SIGINT/SIGTERM, graceful on SIGQUIT). */
#ifndef SRS_APP_SERVER_H
#define SRS_APP_SERVER_H

#include "srs_core.h"
#include "srs_core_error.h"
#include "srs_app_config.h"
#include "srs_app_lb.h"
#include "srs_app_rtc_server.h"
#include "srs_app_srt_server.h"
#include "srs_protocol_coroutine.h"
#include "srs_protocol_tcp_server.h"

typedef struct srs_proxy_s {
    const srs_config_t *cfg;
    srs_lb_t *lb;
    srs_rtc_server_t *rtc;
    srs_srt_server_t *srt;
    srs_tcp_server_t *rtmp;
    srs_tcp_server_t *http_api;
    srs_tcp_server_t *system_api;
    srs_tcp_server_t *http_server;
    srs_coroutine_t *timer;
    bool has_default_backend;
    srs_origin_t default_backend;
} srs_proxy_t;

/* Runs until a quit signal; returns the startup error, if any. */
srs_error_t srs_proxy_run(const srs_config_t *cfg);

#endif
