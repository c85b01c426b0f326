/* SPDX-License-Identifier: MIT */
#include "srs_app_https.h"
#include "srs_app_http_api.h"
#include "srs_app_http_stream.h"
#include "srs_core_log.h"
#include "srs_kernel_prometheus.h"
#include "srs_protocol_http.h"
#include "srs_protocol_tls.h"

#include <string.h>

static const srs_config_t *https_cfg;
/* The context new connections take; a reload replaces it (live SSLs hold their own reference). */
static SSL_CTX *current_ctx;
static srs_tcp_server_t *https_api, *https_server;
static uint64_t reloads_ok, reloads_failed;

static srs_error_t https_api_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    return srs_http_api_on_conn_tls(ctx, fd, peer, current_ctx);
}

static srs_error_t https_stream_on_conn(void *ctx, st_netfd_t fd, const srs_sockaddr_t *peer)
{
    return srs_http_stream_on_conn_tls(ctx, fd, peer, current_ctx);
}

srs_error_t srs_https_reload(void)
{
    if (!https_cfg || (!https_cfg->https_api_enabled && !https_cfg->https_server_enabled)) return srs_success;
    SSL_CTX *ctx = NULL;
    srs_error_t err = srs_tls_server_ctx_new(https_cfg->https_cert, https_cfg->https_key, &ctx);
    if (err) {
        reloads_failed++;
        return srs_error_wrap(err, "reload PROXY_HTTPS_CERT/PROXY_HTTPS_KEY, keep the old certificate");
    }
    /* No switch between here and the swap: a connection starting now takes one or the other. */
    SSL_CTX_free(current_ctx);
    current_ctx = ctx;
    reloads_ok++;
    srs_log_info("HTTPS certificate loaded from %s", https_cfg->https_cert);
    return srs_success;
}

srs_error_t srs_https_start(srs_proxy_t *p)
{
    const srs_config_t *cfg = p->cfg;
    https_cfg = cfg;
    if (!cfg->https_api_enabled && !cfg->https_server_enabled) return srs_success;
    srs_error_t err = srs_https_reload();
    if (err) return srs_error_wrap(err, "HTTPS");
    /* No on_refuse: a refused TLS client is closed (a plaintext 503 would be noise to it). */
    if (cfg->https_api_enabled) {
        err = srs_tcp_server_start("HTTPS API", cfg->https_api.host, cfg->https_api.port, https_api_on_conn, NULL, p, &https_api);
        if (err) return srs_error_wrap(err, "start HTTPS API");
    }
    if (cfg->https_server_enabled) {
        err = srs_tcp_server_start("HTTPS Stream", cfg->https_server.host, cfg->https_server.port, https_stream_on_conn, NULL, p,
                                   &https_server);
        if (err) return srs_error_wrap(err, "start HTTPS Stream");
    }
    return srs_success;
}

void srs_https_close_listeners(void)
{
    srs_tcp_server_close_listener(https_api);
    srs_tcp_server_close_listener(https_server);
}

int srs_https_conn_count(void)
{
    return (https_api ? srs_tcp_server_conn_count(https_api) : 0) +
           (https_server ? srs_tcp_server_conn_count(https_server) : 0);
}

void srs_https_free(void)
{
    srs_tcp_server_free(https_server);
    srs_tcp_server_free(https_api);
    https_server = https_api = NULL;
    SSL_CTX_free(current_ctx);
    current_ctx = NULL;
    https_cfg = NULL;
}

void srs_https_metrics(srs_strbuf_t *out)
{
    srs_http_tls_stats_t st;
    srs_http_tls_stats(&st);
    srs_prom_family(out, "srs_proxy_tls_handshakes_total", "counter",
                    "TLS handshakes on the HTTPS listeners by result (ok, failed, timeout: not done within PROXY_HTTP_HEAD_TIMEOUT, closed).");
    const struct { const char *result; uint64_t v; } rows[] = {
        {"ok", st.handshakes}, {"failed", st.handshake_failures}, {"timeout", st.handshake_timeouts}, {"closed", st.handshake_closed}};
    for (size_t i = 0; i < SRS_ARRAY_SIZE(rows); i++) {
        const char *labels[] = {"result", rows[i].result};
        srs_prom_sample_u64(out, "srs_proxy_tls_handshakes_total", labels, 1, rows[i].v);
    }
    srs_prom_family(out, "srs_proxy_tls_cert_reloads_total", "counter", "Certificate loads (start and SIGHUP) by result.");
    const char *ok[] = {"result", "ok"}, *failed[] = {"result", "failed"};
    srs_prom_sample_u64(out, "srs_proxy_tls_cert_reloads_total", ok, 1, reloads_ok);
    srs_prom_sample_u64(out, "srs_proxy_tls_cert_reloads_total", failed, 1, reloads_failed);
    srs_prom_family(out, "srs_proxy_https_connections", "gauge", "Live connections on the HTTPS listeners.");
    const char *api[] = {"listener", "https_api"}, *server[] = {"listener", "https_server"};
    srs_prom_sample_u64(out, "srs_proxy_https_connections", api, 1, https_api ? (uint64_t)srs_tcp_server_conn_count(https_api) : 0);
    srs_prom_sample_u64(out, "srs_proxy_https_connections", server, 1,
                        https_server ? (uint64_t)srs_tcp_server_conn_count(https_server) : 0);
}
