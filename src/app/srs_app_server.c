/* SPDX-License-Identifier: MIT */
#include "srs_app_server.h"
#include "srs_app_http_api.h"
#include "srs_app_http_stream.h"
#include "srs_app_master.h"
#include "srs_app_https.h"
#include "srs_app_metrics.h"
#include "srs_app_pprof.h"
#include "srs_app_rtmp_conn.h"
#include "srs_app_signal.h"
#include "srs_app_system_api.h"
#include "srs_core_log.h"
#include "srs_protocol_coroutine.h"

#include <stdio.h>
#include <string.h>

/* The load balancer's tables are swept this often; the default backend is refreshed every 30 s
 * as in Go, but with a fresh timestamp so it never counts as dead (Go's bug). */
#define SRS_SWEEP_INTERVAL (5 * SRS_UTIME_SECONDS)
#define SRS_DEFAULT_BACKEND_REFRESH (30 * SRS_UTIME_SECONDS)

static int64_t wall_now(void) { return srs_time_now_wall(); }

static srs_error_t register_default_backend(srs_proxy_t *p)
{
    p->default_backend.updated_at = wall_now();
    srs_error_t err = p->lb->vt->update(p->lb, &p->default_backend);
    if (err) return srs_error_wrap(err, "register default backend");
    return srs_success;
}

static srs_error_t timer_cycle(void *arg)
{
    srs_proxy_t *p = (srs_proxy_t *)arg;
    srs_utime_t last_refresh = srs_time_now();
    for (;;) {
        srs_error_t err = srs_st_usleep(SRS_SWEEP_INTERVAL);
        if (err) return err;
        p->lb->vt->sweep(p->lb);
        if (p->has_default_backend && srs_time_now() - last_refresh >= SRS_DEFAULT_BACKEND_REFRESH) {
            last_refresh = srs_time_now();
            if ((err = register_default_backend(p)) != srs_success) {
                srs_log_warn("%s", srs_error_summary(err));
                srs_error_free(err);
            }
        }
    }
}

/* An HTTP listener over the connection limit answers 503 before closing. */
static void refuse_http(void *ctx, st_netfd_t fd)
{
    SRS_UNUSED(ctx);
    char reply[256];
    static const char body[] = "{\"code\":1013,\"msg\":\"too many connections, retry\"}";
    int n = snprintf(reply, sizeof(reply),
                     "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     "Content-Length: %zu\r\n\r\n%s", sizeof(body) - 1, body);
    srs_error_t err = srs_st_write(fd, reply, (size_t)n, 100 * SRS_UTIME_MILLISECONDS);
    srs_error_free(err);
}

static srs_error_t start_tcp(const char *name, const srs_listen_t *addr, srs_tcp_conn_fn fn, srs_proxy_t *p,
                             srs_tcp_server_t **out)
{
    srs_error_t err = srs_tcp_server_start(name, addr->host, addr->port, fn, refuse_http, p, out);
    if (err) return srs_error_wrap(err, "start %s", name);
    return srs_success;
}

static srs_error_t proxy_start(srs_proxy_t *p)
{
    const srs_config_t *cfg = p->cfg;
    srs_error_t err;

    /* Workers share every port; the kernel spreads connections and UDP flows over them. */
    if (srs_worker_index() >= 0) srs_socket_set_reuseport(true);
    srs_tcp_server_set_max_total(cfg->max_connections);
    srs_tcp_server_set_max_per_ip(cfg->max_connections_per_ip);
    srs_http_server_set_defaults(cfg->http_head_timeout, cfg->http_body_timeout);
    /* Debug listener first: the heap sampler then sees every allocation of the startup. */
    if ((err = srs_pprof_start(cfg)) != srs_success) return err;
    if ((err = srs_metrics_exporter_start(p)) != srs_success) return err;

    /* Every load balancer table has a bound (srs_app_lb.h). */
    srs_lb_limits_t limits = {(size_t)cfg->max_origins, (size_t)cfg->lb_max_streams, (size_t)cfg->lb_max_sessions, cfg->lb_pick_idle};
    srs_lb_set_limits(&limits);
    srs_system_api_warn_open(cfg);

    if (cfg->lb_redis) {
        /* Redis down at startup is fatal, as in Go. */
        srs_lb_redis_config_t rc = {cfg->redis_host, cfg->redis_port, cfg->redis_password, cfg->redis_db,
                                    cfg->redis_key_prefix, cfg->origin_server_ttl};
        if ((err = srs_lb_redis_new(&rc, NULL, &p->lb)) != srs_success) return srs_error_wrap(err, "initialize srs load balancer");
        srs_log_info("Load balancer: redis %s:%d db %d key prefix \"%s\", origin TTL %llds", cfg->redis_host, cfg->redis_port,
                     cfg->redis_db, cfg->redis_key_prefix, (long long)(cfg->origin_server_ttl / SRS_UTIME_SECONDS));
    } else if (srs_master_lb_region()) {
        /* PROXY_WORKERS > 1: the tables every worker shares, mapped by the master. */
        p->lb = srs_lb_shm_new(srs_master_lb_region(), cfg->origin_server_ttl, NULL);
        srs_log_info("Load balancer: shared memory of worker %d, origin TTL %llds", srs_worker_index(),
                     (long long)(cfg->origin_server_ttl / SRS_UTIME_SECONDS));
    } else {
        p->lb = srs_lb_memory_new(cfg->origin_server_ttl, NULL);
        srs_log_info("Load balancer: memory, origin TTL %llds", (long long)(cfg->origin_server_ttl / SRS_UTIME_SECONDS));
    }

    if (cfg->default_backend_enabled) {
        err = srs_origin_default_backend(cfg->default_backend_ip, cfg->default_backend_rtmp,
                                         cfg->default_backend_http, cfg->default_backend_api,
                                         cfg->default_backend_rtc, cfg->default_backend_srt, &p->default_backend);
        if (err) return srs_error_wrap(err, "PROXY_DEFAULT_BACKEND");
        if ((err = register_default_backend(p)) != srs_success) return err;
        p->has_default_backend = true;
        char text[512];
        srs_origin_describe(&p->default_backend, text, sizeof(text));
        srs_log_info("Default backend registered, %s", text);
    }

    /* The Go proxy's order: RTMP, WebRTC, HTTP API, SRT, System API, HTTP stream. */
    if ((err = srs_rtmp_server_start(p, &p->rtmp)) != srs_success) return err;
    if ((err = srs_rtc_server_start(cfg, p->lb, &p->rtc)) != srs_success) return err;
    if ((err = start_tcp("HTTP API", &cfg->http_api, srs_http_api_on_conn, p, &p->http_api)) != srs_success) return err;
    if ((err = srs_srt_server_start(cfg, p->lb, &p->srt)) != srs_success) return err;
    if ((err = start_tcp("System API", &cfg->system_api, srs_system_api_on_conn, p, &p->system_api)) != srs_success) return err;
    /* Origins must heartbeat however busy the media listeners are: a pool of its own. */
    srs_tcp_server_set_own_limits(p->system_api, cfg->system_api_max_connections, cfg->system_api_max_connections_per_ip);
    if ((err = start_tcp("HTTP Stream", &cfg->http_server, srs_http_stream_on_conn, p, &p->http_server)) != srs_success) return err;
    /* TLS twins of the HTTP API and the HTTP stream server, when configured. */
    if ((err = srs_https_start(p)) != srs_success) return err;

    p->timer = srs_coroutine_new("timer", timer_cycle, p);
    return srs_coroutine_start(p->timer);
}

static void proxy_close_listeners(srs_proxy_t *p)
{
    srs_tcp_server_close_listener(p->rtmp);
    srs_tcp_server_close_listener(p->http_api);
    srs_tcp_server_close_listener(p->system_api);
    srs_tcp_server_close_listener(p->http_server);
    srs_https_close_listeners();
    srs_metrics_exporter_close_listener();
    srs_pprof_close_listener();
}

/* Graceful quit: no new connections; live ones get the grace period, unless a fast quit comes. */
static void proxy_drain(srs_proxy_t *p)
{
    srs_tcp_server_t *servers[] = {p->rtmp, p->http_api, p->system_api, p->http_server};
    srs_utime_t deadline = srs_time_now() + p->cfg->grace_quit_timeout;
    for (;;) {
        int live = 0;
        for (size_t i = 0; i < SRS_ARRAY_SIZE(servers); i++) live += servers[i] ? srs_tcp_server_conn_count(servers[i]) : 0;
        live += srs_https_conn_count();
        if (live == 0) {
            srs_log_info("Graceful quit: all connections closed");
            return;
        }
        if (srs_time_now() >= deadline || srs_signal_quit_requested() == SRS_QUIT_FAST) {
            srs_log_info("Graceful quit: %d connections left, closing them", live);
            return;
        }
        srs_error_t err = srs_st_usleep(100 * SRS_UTIME_MILLISECONDS);
        srs_error_free(err);
    }
}

static void proxy_free(srs_proxy_t *p)
{
    srs_coroutine_free(p->timer);
    /* Reverse order of start. */
    srs_metrics_exporter_free();
    srs_pprof_free();
    srs_https_free();
    srs_tcp_server_free(p->http_server);
    srs_tcp_server_free(p->system_api);
    srs_srt_server_free(p->srt);
    srs_tcp_server_free(p->http_api);
    srs_rtc_server_free(p->rtc);
    srs_tcp_server_free(p->rtmp);
    if (p->lb) p->lb->vt->free(p->lb);
    memset(p, 0, sizeof(*p));
}

srs_error_t srs_proxy_run(const srs_config_t *cfg)
{
    srs_proxy_t p;
    memset(&p, 0, sizeof(p));
    p.cfg = cfg;

    srs_error_t err = proxy_start(&p);
    if (err) {
        proxy_free(&p);
        return err;
    }

    srs_quit_t quit = srs_signal_wait_quit();
    srs_signal_arm_force_quit(cfg->force_quit_timeout);
    proxy_close_listeners(&p);
    if (quit == SRS_QUIT_GRACEFUL) {
        srs_log_info("Graceful quit, wait up to %lldms for connections",
                     (long long)(cfg->grace_quit_timeout / SRS_UTIME_MILLISECONDS));
        proxy_drain(&p);
    } else {
        srs_log_info("Fast quit");
    }
    proxy_free(&p);
    return srs_success;
}
